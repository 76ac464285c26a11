// Breadth-first search over a maze of '.', '#', 'S' and 'E'.
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

struct Cell {
    int row;
    int col;
};

static std::vector<std::string> readMaze(int rows) {
    std::vector<std::string> maze;
    char buffer[4096];
    for (int i = 0; i < rows; ++i) {
        std::scanf("%4095s", buffer);
        maze.push_back(buffer);
    }
    return maze;
}

static Cell findLetter(const std::vector<std::string> &maze, char letter) {
    for (int row = 0; row < (int)maze.size(); ++row) {
        size_t col = maze[row].find(letter);
        if (col != std::string::npos) return Cell{row, (int)col};
    }
    return Cell{-1, -1};
}

static int shortestPath(const std::vector<std::string> &maze, int rows, int cols) {
    Cell start = findLetter(maze, 'S');
    Cell end = findLetter(maze, 'E');
    std::vector<int> steps(rows * cols, -1);
    std::deque<Cell> pending;
    steps[start.row * cols + start.col] = 0;
    pending.push_back(start);
    const int moves[4][2] = {{-1, 0}, {0, 1}, {1, 0}, {0, -1}};
    while (!pending.empty()) {
        Cell here = pending.front();
        pending.pop_front();
        for (const auto &move : moves) {
            Cell next{here.row + move[0], here.col + move[1]};
            bool inside = next.row >= 0 && next.row < rows && next.col >= 0 && next.col < cols;
            if (!inside) continue;
            if (maze[next.row][next.col] == '#') continue;
            if (steps[next.row * cols + next.col] != -1) continue;
            steps[next.row * cols + next.col] = steps[here.row * cols + here.col] + 1;
            pending.push_back(next);
        }
    }
    return steps[end.row * cols + end.col];
}

int main() {
    int rows = 0, cols = 0;
    if (std::scanf("%d %d", &rows, &cols) != 2) return 1;
    std::vector<std::string> maze = readMaze(rows);
    std::printf("%d\n", shortestPath(maze, rows, cols));
    return 0;
}
