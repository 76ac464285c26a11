import java.util.*;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        int r = in.nextInt(), c = in.nextInt();
        char[][] g = new char[r][];
        for (int i = 0; i < r; i++) g[i] = in.next().toCharArray();
        int[][] d = new int[r][c];
        for (int[] row : d) Arrays.fill(row, -1);
        ArrayDeque<int[]> q = new ArrayDeque<>();
        int ex = 0, ey = 0;
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) {
                if (g[i][j] == 'S') { d[i][j] = 0; q.add(new int[] {i, j}); }
                if (g[i][j] == 'E') { ex = i; ey = j; }
            }
        int[] dx = {1, -1, 0, 0}, dy = {0, 0, 1, -1};
        while (!q.isEmpty()) {
            int[] p = q.poll();
            for (int k = 0; k < 4; k++) {
                int x = p[0] + dx[k], y = p[1] + dy[k];
                if (x < 0 || y < 0 || x >= r || y >= c || g[x][y] == '#' || d[x][y] != -1) continue;
                d[x][y] = d[p[0]][p[1]] + 1;
                q.add(new int[] {x, y});
            }
        }
        System.out.println(d[ex][ey]);
    }
}
