#include <bits/stdc++.h>
using namespace std;

int main() {
    int r, c;
    cin >> r >> c;
    vector<string> g(r);
    for (auto &row : g) cin >> row;
    pair<int, int> s, e;
    for (int i = 0; i < r; i++)
        for (int j = 0; j < c; j++) {
            if (g[i][j] == 'S') s = {i, j};
            if (g[i][j] == 'E') e = {i, j};
        }
    vector<vector<int>> d(r, vector<int>(c, -1));
    queue<pair<int, int>> q;
    d[s.first][s.second] = 0;
    q.push(s);
    int dx[] = {1, -1, 0, 0}, dy[] = {0, 0, 1, -1};
    while (!q.empty()) {
        auto [x, y] = q.front();
        q.pop();
        for (int k = 0; k < 4; k++) {
            int nx = x + dx[k], ny = y + dy[k];
            if (nx < 0 || ny < 0 || nx >= r || ny >= c || g[nx][ny] == '#' || d[nx][ny] >= 0) continue;
            d[nx][ny] = d[x][y] + 1;
            q.push({nx, ny});
        }
    }
    cout << d[e.first][e.second] << endl;
}
