# Shortest path through a maze, breadth-first.
from collections import deque


def read_maze():
    rows, cols = map(int, input().split())
    maze = [input().strip() for _ in range(rows)]
    return rows, cols, maze


def find(maze, letter):
    for y in range(len(maze)):
        x = maze[y].find(letter)
        if x >= 0:
            return y, x
    return None


def neighbours(y, x, rows, cols):
    if y > 0:
        yield y - 1, x
    if y + 1 < rows:
        yield y + 1, x
    if x > 0:
        yield y, x - 1
    if x + 1 < cols:
        yield y, x + 1


def shortest(rows, cols, maze):
    sy, sx = find(maze, 'S')
    ey, ex = find(maze, 'E')
    steps = [[-1] * cols for _ in range(rows)]
    steps[sy][sx] = 0
    todo = deque()
    todo.append((sy, sx))
    while len(todo) > 0:
        y, x = todo.popleft()
        for ny, nx in neighbours(y, x, rows, cols):
            if maze[ny][nx] == '#' or steps[ny][nx] != -1:
                continue
            steps[ny][nx] = steps[y][x] + 1
            todo.append((ny, nx))
    return steps[ey][ex]


def main():
    rows, cols, maze = read_maze()
    print(shortest(rows, cols, maze))


main()
