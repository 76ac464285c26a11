// Connected components with a union-find structure (union by size, path compression).
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class Main {
    static class UnionFind {
        private final int[] parent;
        private final int[] size;

        UnionFind(int count) {
            parent = new int[count + 1];
            size = new int[count + 1];
            for (int node = 0; node <= count; node++) {
                parent[node] = node;
                size[node] = 1;
            }
        }

        int root(int node) {
            int top = node;
            while (parent[top] != top) {
                top = parent[top];
            }
            while (parent[node] != top) {
                int next = parent[node];
                parent[node] = top;
                node = next;
            }
            return top;
        }

        boolean merge(int left, int right) {
            left = root(left);
            right = root(right);
            if (left == right) {
                return false;
            }
            if (size[left] < size[right]) {
                int swap = left;
                left = right;
                right = swap;
            }
            parent[right] = left;
            size[left] += size[right];
            return true;
        }
    }

    public static void main(String[] args) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer header = new StringTokenizer(reader.readLine());
        int nodes = Integer.parseInt(header.nextToken());
        int edges = Integer.parseInt(header.nextToken());
        UnionFind sets = new UnionFind(nodes);
        int components = nodes;
        for (int edge = 0; edge < edges; edge++) {
            StringTokenizer line = new StringTokenizer(reader.readLine());
            int u = Integer.parseInt(line.nextToken());
            int v = Integer.parseInt(line.nextToken());
            if (sets.merge(u, v)) {
                components--;
            }
        }
        System.out.println(components);
    }
}
