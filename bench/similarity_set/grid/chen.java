import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

public class Main {
    record Point(int r, int c) {}

    private final boolean[][] blocked;
    private final int height, width;
    private Point source, target;

    Main(Scanner scanner) {
        height = scanner.nextInt();
        width = scanner.nextInt();
        blocked = new boolean[height][width];
        for (int r = 0; r < height; r++) {
            String line = scanner.next();
            for (int c = 0; c < width; c++) {
                blocked[r][c] = line.charAt(c) == '#';
                if (line.charAt(c) == 'S') source = new Point(r, c);
                if (line.charAt(c) == 'E') target = new Point(r, c);
            }
        }
    }

    private boolean free(int r, int c) {
        return r >= 0 && c >= 0 && r < height && c < width && !blocked[r][c];
    }

    int distance() {
        boolean[][] seen = new boolean[height][width];
        List<Point> layer = new ArrayList<>(List.of(source));
        seen[source.r()][source.c()] = true;
        for (int depth = 0; !layer.isEmpty(); depth++) {
            List<Point> next = new ArrayList<>();
            for (Point p : layer) {
                if (p.equals(target)) return depth;
                int[][] around = {{p.r() + 1, p.c()}, {p.r() - 1, p.c()}, {p.r(), p.c() + 1}, {p.r(), p.c() - 1}};
                for (int[] q : around) {
                    if (free(q[0], q[1]) && !seen[q[0]][q[1]]) {
                        seen[q[0]][q[1]] = true;
                        next.add(new Point(q[0], q[1]));
                    }
                }
            }
            layer = next;
        }
        return -1;
    }

    public static void main(String[] args) {
        System.out.println(new Main(new Scanner(System.in)).distance());
    }
}
