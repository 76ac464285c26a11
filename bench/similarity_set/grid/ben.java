// Shortest path in a maze by breadth-first search.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.LinkedList;

public class Main {
    static final int[][] DIRECTIONS = {{-1, 0}, {0, 1}, {1, 0}, {0, -1}};

    static int[] locate(String[] maze, char letter) {
        for (int row = 0; row < maze.length; row++) {
            int col = maze[row].indexOf(letter);
            if (col >= 0) {
                return new int[] {row, col};
            }
        }
        return null;
    }

    static int solve(String[] maze, int rows, int cols) {
        int[] start = locate(maze, 'S');
        int[] end = locate(maze, 'E');
        int[] steps = new int[rows * cols];
        java.util.Arrays.fill(steps, -1);
        steps[start[0] * cols + start[1]] = 0;
        LinkedList<int[]> waiting = new LinkedList<>();
        waiting.addLast(start);
        while (!waiting.isEmpty()) {
            int[] current = waiting.removeFirst();
            for (int[] direction : DIRECTIONS) {
                int row = current[0] + direction[0];
                int col = current[1] + direction[1];
                boolean inside = row >= 0 && row < rows && col >= 0 && col < cols;
                if (!inside || maze[row].charAt(col) == '#') {
                    continue;
                }
                if (steps[row * cols + col] == -1) {
                    steps[row * cols + col] = steps[current[0] * cols + current[1]] + 1;
                    waiting.addLast(new int[] {row, col});
                }
            }
        }
        return steps[end[0] * cols + end[1]];
    }

    public static void main(String[] args) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in));
        String[] size = reader.readLine().trim().split("\\s+");
        int rows = Integer.parseInt(size[0]);
        int cols = Integer.parseInt(size[1]);
        String[] maze = new String[rows];
        for (int row = 0; row < rows; row++) {
            maze[row] = reader.readLine().trim();
        }
        System.out.println(solve(maze, rows, cols));
    }
}
