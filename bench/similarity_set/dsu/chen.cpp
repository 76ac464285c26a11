#include <iostream>
#include <numeric>
#include <vector>

struct Forest {
    std::vector<int> link, rank;
    int trees;

    explicit Forest(int n) : link(n + 1), rank(n + 1, 0), trees(n) { std::iota(link.begin(), link.end(), 0); }

    int head(int v) {
        while (v != link[v]) {
            link[v] = link[link[v]];
            v = link[v];
        }
        return v;
    }

    void unite(int a, int b) {
        a = head(a);
        b = head(b);
        if (a == b) return;
        if (rank[a] < rank[b]) std::swap(a, b);
        link[b] = a;
        if (rank[a] == rank[b]) ++rank[a];
        --trees;
    }
};

int main() {
    std::cin.tie(nullptr);
    int n, m;
    std::cin >> n >> m;
    Forest forest(n);
    for (int u, v; m-- > 0 && std::cin >> u >> v;) forest.unite(u, v);
    std::cout << forest.trees << '\n';
}
