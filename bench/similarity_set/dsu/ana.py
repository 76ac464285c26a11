import sys

it = iter(map(int, sys.stdin.read().split()))
n, m = next(it), next(it)
parent = list(range(n + 1))


def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


components = n
for _ in range(m):
    a, b = find(next(it)), find(next(it))
    if a != b:
        parent[a] = b
        components -= 1
print(components)
