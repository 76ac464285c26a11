# Count connected components with a disjoint-set forest (union by size).
import sys


def make_sets(count):
    return list(range(count + 1)), [1] * (count + 1)


def root(parents, node):
    path = []
    while parents[node] != node:
        path.append(node)
        node = parents[node]
    for visited in path:
        parents[visited] = node
    return node


def union(parents, sizes, left, right):
    left, right = root(parents, left), root(parents, right)
    if left == right:
        return False
    if sizes[left] < sizes[right]:
        left, right = right, left
    parents[right] = left
    sizes[left] += sizes[right]
    return True


def main():
    lines = sys.stdin.readlines()
    nodes, edges = map(int, lines[0].split())
    parents, sizes = make_sets(nodes)
    merged = 0
    for line in lines[1:1 + edges]:
        u, v = map(int, line.split())
        if union(parents, sizes, u, v):
            merged += 1
    print(nodes - merged)


main()
