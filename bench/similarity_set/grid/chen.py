import sys


class Maze:
    MOVES = [(0, 1), (1, 0), (0, -1), (-1, 0)]

    def __init__(self, lines):
        self.h, self.w = map(int, lines[0].split())
        self.cells = [list(line) for line in lines[1:1 + self.h]]

    def locate(self, mark):
        return next((r, c) for r in range(self.h) for c in range(self.w) if self.cells[r][c] == mark)

    def open(self, r, c):
        return 0 <= r < self.h and 0 <= c < self.w and self.cells[r][c] != '#'

    def solve(self):
        source, target = self.locate('S'), self.locate('E')
        frontier, seen, depth = [source], {source}, 0
        while frontier:
            if target in seen:
                return depth if target in frontier else depth
            following = []
            for r, c in frontier:
                if (r, c) == target:
                    return depth
                for dr, dc in self.MOVES:
                    cell = (r + dr, c + dc)
                    if cell not in seen and self.open(*cell):
                        seen.add(cell)
                        following.append(cell)
            frontier, depth = following, depth + 1
        return -1


print(Maze(sys.stdin.read().splitlines()).solve())
