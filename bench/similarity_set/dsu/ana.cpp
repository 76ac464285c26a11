#include <bits/stdc++.h>
using namespace std;

int p[200005];
int f(int x) { return p[x] == x ? x : p[x] = f(p[x]); }

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    for (int i = 1; i <= n; i++) p[i] = i;
    int comp = n;
    while (m--) {
        int a, b;
        scanf("%d %d", &a, &b);
        a = f(a), b = f(b);
        if (a != b) p[a] = b, comp--;
    }
    printf("%d\n", comp);
}
