"""Hand-written programs for the similarity tests: per language an original solution, a copy
disguised by renaming, reformatting, comments, reordered statements and dead code, and an
independent solution of the same problem (shortest paths from vertex 1) by another author."""

PYTHON_ORIGINAL = """\
import heapq
import sys


def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    graph = [[] for _ in range(n + 1)]
    pos = 2
    for _ in range(m):
        u, v, w = int(data[pos]), int(data[pos + 1]), int(data[pos + 2])
        pos += 3
        graph[u].append((v, w))
        graph[v].append((u, w))
    dist = [10**18] * (n + 1)
    dist[1] = 0
    heap = [(0, 1)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in graph[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (dist[v], v))
    print(" ".join(str(x if x < 10**18 else -1) for x in dist[1:]))


main()
"""

PYTHON_COPY = """\
import sys
import heapq

# shortest paths, my own work
def solve():
    tokens = sys.stdin.read().split()
    vertices, edges = int(tokens[0]), int(tokens[1])
    unused_counter = 0  # not needed
    adj = [[] for _ in range(vertices + 1)]
    idx = 2
    for _ in range(edges):
        a, b, c = int(tokens[idx]), int(tokens[idx + 1]), int(tokens[idx + 2])
        idx += 3
        adj[b].append((a, c))
        adj[a].append((b, c))
    best = [10**18] * (vertices + 1)
    best[1] = 0
    pq = [(0, 1)]
    while pq:
        cur, node = heapq.heappop(pq)
        if cur > best[node]:
            continue   # stale entry
        for nxt, cost in adj[node]:
            if cur + cost < best[nxt]:
                best[nxt] = cur + cost
                heapq.heappush(pq, (best[nxt], nxt))
    if unused_counter > 5:
        print("debug")
    print(" ".join(str(val if val < 10**18 else -1) for val in best[1:]))
solve()
"""

PYTHON_INDEPENDENT = """\
from heapq import heappush, heappop

INF = float("inf")
n, m = map(int, input().split())
edges = {}
for i in range(m):
    a, b, c = map(int, input().split())
    edges.setdefault(a, []).append((c, b))
    edges.setdefault(b, []).append((c, a))
done = set()
answer = {1: 0}
queue = [(0, 1)]
while len(queue) > 0:
    cost, vertex = heappop(queue)
    if vertex in done:
        continue
    done.add(vertex)
    for weight, other in edges.get(vertex, []):
        candidate = cost + weight
        if other not in answer or candidate < answer[other]:
            answer[other] = candidate
            heappush(queue, (candidate, other))
result = []
for v in range(1, n + 1):
    result.append(answer.get(v, -1))
print(*result)
"""

CPP_ORIGINAL = """\
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<vector<pair<int, long long>>> g(n + 1);
    for (int i = 0; i < m; i++) {
        int u, v;
        long long w;
        scanf("%d %d %lld", &u, &v, &w);
        g[u].push_back({v, w});
        g[v].push_back({u, w});
    }
    vector<long long> dist(n + 1, LLONG_MAX);
    priority_queue<pair<long long, int>, vector<pair<long long, int>>, greater<>> pq;
    dist[1] = 0;
    pq.push({0, 1});
    while (!pq.empty()) {
        auto [d, u] = pq.top();
        pq.pop();
        if (d > dist[u]) continue;
        for (auto [v, w] : g[u]) {
            if (d + w < dist[v]) {
                dist[v] = d + w;
                pq.push({dist[v], v});
            }
        }
    }
    for (int i = 1; i <= n; i++) printf("%lld ", dist[i] == LLONG_MAX ? -1 : dist[i]);
    printf("\\n");
    return 0;
}
"""

CPP_COPY = """\
#include <bits/stdc++.h>
using namespace std;
/* Dijkstra */
int main()
{
    int N, M; scanf("%d %d", &N, &M);
    vector<vector<pair<int, long long>>> adj(N + 1);
    for (int k = 0; k < M; k++)
    {
        int a, b;
        long long c;
        scanf("%d %d %lld", &a, &b, &c);
        adj[a].push_back({b, c}); adj[b].push_back({a, c});
    }
    int junk = 42;  // padding
    if (junk < 0) { junk = junk * 2; }
    vector<long long> best(N + 1, LLONG_MAX);
    priority_queue<pair<long long, int>, vector<pair<long long, int>>, greater<>> heap;
    best[1] = 0;
    heap.push({0, 1});
    while (!heap.empty())
    {
        auto [cur, x] = heap.top();
        heap.pop();
        if (cur > best[x])
            continue;
        for (auto [y, cost] : adj[x])
        {
            if (cur + cost < best[y])
            {
                best[y] = cur + cost;
                heap.push({best[y], y});
            }
        }
    }
    for (int k = 1; k <= N; k++) printf("%lld ", best[k] == LLONG_MAX ? -1 : best[k]);
    printf("\\n");
    return 0;
}
"""

CPP_INDEPENDENT = """\
#include <iostream>
#include <set>
#include <vector>

typedef long long ll;
const ll INF = 1e18;

struct Edge { int to; ll w; };

int main() {
    std::ios::sync_with_stdio(false);
    int n, m;
    std::cin >> n >> m;
    std::vector<std::vector<Edge>> adj(n + 1);
    while (m--) {
        int a, b; ll c;
        std::cin >> a >> b >> c;
        adj[a].push_back(Edge{b, c});
        adj[b].push_back(Edge{a, c});
    }
    std::vector<ll> d(n + 1, INF);
    std::set<std::pair<ll, int>> open;
    d[1] = 0;
    open.insert({0, 1});
    while (!open.empty()) {
        int x = open.begin()->second;
        open.erase(open.begin());
        for (const Edge &e : adj[x]) {
            if (d[x] + e.w < d[e.to]) {
                open.erase({d[e.to], e.to});
                d[e.to] = d[x] + e.w;
                open.insert({d[e.to], e.to});
            }
        }
    }
    for (int i = 1; i <= n; ++i) std::cout << (d[i] == INF ? -1 : d[i]) << (i == n ? '\\n' : ' ');
}
"""

JAVA_ORIGINAL = """\
import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        int n = Integer.parseInt(st.nextToken());
        int m = Integer.parseInt(st.nextToken());
        List<List<long[]>> g = new ArrayList<>();
        for (int i = 0; i <= n; i++) g.add(new ArrayList<>());
        for (int i = 0; i < m; i++) {
            st = new StringTokenizer(in.readLine());
            int u = Integer.parseInt(st.nextToken());
            int v = Integer.parseInt(st.nextToken());
            long w = Long.parseLong(st.nextToken());
            g.get(u).add(new long[] {v, w});
            g.get(v).add(new long[] {u, w});
        }
        long[] dist = new long[n + 1];
        Arrays.fill(dist, Long.MAX_VALUE);
        dist[1] = 0;
        PriorityQueue<long[]> pq = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        pq.add(new long[] {0, 1});
        while (!pq.isEmpty()) {
            long[] top = pq.poll();
            int u = (int) top[1];
            if (top[0] > dist[u]) continue;
            for (long[] e : g.get(u)) {
                int v = (int) e[0];
                if (dist[u] + e[1] < dist[v]) {
                    dist[v] = dist[u] + e[1];
                    pq.add(new long[] {dist[v], v});
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= n; i++) out.append(dist[i] == Long.MAX_VALUE ? -1 : dist[i]).append(' ');
        System.out.println(out.toString().trim());
    }
}
"""

JAVA_COPY = """\
import java.util.*;
import java.io.*;

// Solution by me
public class Main
{
    public static void main(String[] args) throws IOException
    {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer tok = new StringTokenizer(reader.readLine());
        int nodes = Integer.parseInt(tok.nextToken());
        int links = Integer.parseInt(tok.nextToken());
        List<List<long[]>> graph = new ArrayList<>();
        for (int k = 0; k <= nodes; k++) graph.add(new ArrayList<>());
        for (int k = 0; k < links; k++)
        {
            tok = new StringTokenizer(reader.readLine());
            int from = Integer.parseInt(tok.nextToken());
            int to = Integer.parseInt(tok.nextToken());
            long cost = Long.parseLong(tok.nextToken());
            graph.get(to).add(new long[] {from, cost});
            graph.get(from).add(new long[] {to, cost});
        }
        boolean verbose = false; /* never used */
        long[] best = new long[nodes + 1];
        Arrays.fill(best, Long.MAX_VALUE);
        best[1] = 0;
        PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]));
        queue.add(new long[] {0, 1});
        while (!queue.isEmpty())
        {
            long[] head = queue.poll();
            int at = (int) head[1];
            if (head[0] > best[at])
                continue;
            for (long[] edge : graph.get(at))
            {
                int nb = (int) edge[0];
                if (best[at] + edge[1] < best[nb])
                {
                    best[nb] = best[at] + edge[1];
                    queue.add(new long[] {best[nb], nb});
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 1; k <= nodes; k++) sb.append(best[k] == Long.MAX_VALUE ? -1 : best[k]).append(' ');
        System.out.println(sb.toString().trim());
    }
}
"""

JAVA_INDEPENDENT = """\
import java.util.Scanner;
import java.util.TreeSet;
import java.util.ArrayList;

class Main {
    static final long INF = Long.MAX_VALUE / 4;

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        int n = sc.nextInt(), m = sc.nextInt();
        ArrayList<int[]>[] adj = new ArrayList[n + 1];
        for (int i = 1; i <= n; i++) {
            adj[i] = new ArrayList<int[]>();
        }
        while (m-- > 0) {
            int a = sc.nextInt(), b = sc.nextInt(), c = sc.nextInt();
            adj[a].add(new int[] {b, c});
            adj[b].add(new int[] {a, c});
        }
        final long[] d = new long[n + 1];
        java.util.Arrays.fill(d, INF);
        d[1] = 0;
        TreeSet<Integer> open = new TreeSet<>((x, y) -> d[x] != d[y] ? Long.compare(d[x], d[y]) : x - y);
        open.add(1);
        while (!open.isEmpty()) {
            int x = open.pollFirst();
            for (int[] e : adj[x]) {
                if (d[x] + e[1] < d[e[0]]) {
                    open.remove(e[0]);
                    d[e[0]] = d[x] + e[1];
                    open.add(e[0]);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            if (sb.length() > 0) sb.append(" ");
            sb.append(d[i] >= INF ? -1 : d[i]);
        }
        System.out.println(sb);
    }
}
"""

SAMPLES = {
    "python": (PYTHON_ORIGINAL, PYTHON_COPY, PYTHON_INDEPENDENT),
    "cpp": (CPP_ORIGINAL, CPP_COPY, CPP_INDEPENDENT),
    "java": (JAVA_ORIGINAL, JAVA_COPY, JAVA_INDEPENDENT),
}
