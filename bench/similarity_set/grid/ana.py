import sys
from collections import deque

data = sys.stdin.read().split()
r, c = int(data[0]), int(data[1])
grid = data[2:2 + r]
start = goal = None
for i, row in enumerate(grid):
    for j, ch in enumerate(row):
        if ch == 'S':
            start = (i, j)
        elif ch == 'E':
            goal = (i, j)
dist = {start: 0}
queue = deque([start])
while queue:
    i, j = queue.popleft()
    if (i, j) == goal:
        break
    for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        ni, nj = i + di, j + dj
        if 0 <= ni < r and 0 <= nj < c and grid[ni][nj] != '#' and (ni, nj) not in dist:
            dist[(ni, nj)] = dist[(i, j)] + 1
            queue.append((ni, nj))
print(dist.get(goal, -1))
