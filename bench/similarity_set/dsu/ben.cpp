// Connected components by union-find with union by size and path compression.
#include <cstdio>
#include <vector>

class UnionFind {
  public:
    explicit UnionFind(int count) : parent(count + 1), size(count + 1, 1) {
        for (int node = 0; node <= count; ++node) parent[node] = node;
    }

    int root(int node) {
        int top = node;
        while (parent[top] != top) top = parent[top];
        while (parent[node] != top) {
            int next = parent[node];
            parent[node] = top;
            node = next;
        }
        return top;
    }

    bool merge(int left, int right) {
        left = root(left);
        right = root(right);
        if (left == right) return false;
        if (size[left] < size[right]) {
            int swap = left;
            left = right;
            right = swap;
        }
        parent[right] = left;
        size[left] += size[right];
        return true;
    }

  private:
    std::vector<int> parent;
    std::vector<int> size;
};

int main() {
    int nodes = 0, edges = 0;
    if (std::scanf("%d %d", &nodes, &edges) != 2) return 1;
    UnionFind sets(nodes);
    int components = nodes;
    for (int edge = 0; edge < edges; ++edge) {
        int u = 0, v = 0;
        std::scanf("%d %d", &u, &v);
        if (sets.merge(u, v)) --components;
    }
    std::printf("%d\n", components);
    return 0;
}
