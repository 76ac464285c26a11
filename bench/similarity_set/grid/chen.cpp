#include <iostream>
#include <queue>
#include <tuple>
#include <vector>
using std::vector;

class Labyrinth {
  public:
    explicit Labyrinth(std::istream &in) {
        in >> height >> width;
        walls.assign(height, vector<bool>(width));
        for (int r = 0; r < height; ++r) {
            std::string line;
            in >> line;
            for (int c = 0; c < width; ++c) {
                walls[r][c] = line[c] == '#';
                if (line[c] == 'S') from = {r, c};
                if (line[c] == 'E') to = {r, c};
            }
        }
    }

    int distance() const {
        vector<vector<int>> level(height, vector<int>(width, -1));
        std::queue<std::pair<int, int>> wave;
        wave.push(from);
        level[from.first][from.second] = 0;
        while (!wave.empty()) {
            int r, c;
            std::tie(r, c) = wave.front();
            wave.pop();
            if (std::make_pair(r, c) == to) break;
            for (int turn = 0; turn < 4; ++turn) {
                int nr = r + (turn == 0) - (turn == 1);
                int nc = c + (turn == 2) - (turn == 3);
                if (open(nr, nc) && level[nr][nc] < 0) {
                    level[nr][nc] = level[r][c] + 1;
                    wave.emplace(nr, nc);
                }
            }
        }
        return level[to.first][to.second];
    }

  private:
    bool open(int r, int c) const { return r >= 0 && c >= 0 && r < height && c < width && !walls[r][c]; }

    int height = 0, width = 0;
    vector<vector<bool>> walls;
    std::pair<int, int> from, to;
};

int main() {
    std::ios::sync_with_stdio(false);
    Labyrinth maze(std::cin);
    std::cout << maze.distance() << '\n';
}
