import java.util.*;

public class Main {
    static int[] p;

    static int f(int x) {
        while (p[x] != x) x = p[x] = p[p[x]];
        return x;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        int n = in.nextInt(), m = in.nextInt();
        p = new int[n + 1];
        for (int i = 0; i <= n; i++) p[i] = i;
        int comp = n;
        for (int i = 0; i < m; i++) {
            int a = f(in.nextInt()), b = f(in.nextInt());
            if (a != b) { p[a] = b; comp--; }
        }
        System.out.println(comp);
    }
}
