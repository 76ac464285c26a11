import sys
sys.setrecursionlimit(1 << 20)


class DisjointSets:
    def __init__(self, size):
        self.up = [-1] * (size + 1)
        self.groups = size

    def leader(self, v):
        if self.up[v] < 0:
            return v
        self.up[v] = self.leader(self.up[v])
        return self.up[v]

    def join(self, a, b):
        a, b = self.leader(a), self.leader(b)
        if a == b:
            return
        if self.up[a] > self.up[b]:
            a, b = b, a
        self.up[a] += self.up[b]
        self.up[b] = a
        self.groups -= 1


tokens = sys.stdin.buffer.read().split()
sets = DisjointSets(int(tokens[0]))
for k in range(int(tokens[1])):
    sets.join(int(tokens[2 + 2 * k]), int(tokens[3 + 2 * k]))
print(sets.groups)
