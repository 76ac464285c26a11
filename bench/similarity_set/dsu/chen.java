import java.io.IOException;
import java.io.StreamTokenizer;
import java.io.InputStreamReader;

public class Main {
    private final int[] up;
    private int groups;

    Main(int size) {
        up = new int[size + 1];
        java.util.Arrays.fill(up, -1);
        groups = size;
    }

    int leader(int v) {
        return up[v] < 0 ? v : (up[v] = leader(up[v]));
    }

    void join(int a, int b) {
        a = leader(a);
        b = leader(b);
        if (a == b) return;
        if (up[a] > up[b]) { int t = a; a = b; b = t; }
        up[a] += up[b];
        up[b] = a;
        groups--;
    }

    public static void main(String[] args) throws IOException {
        StreamTokenizer st = new StreamTokenizer(new InputStreamReader(System.in));
        st.nextToken();
        int n = (int) st.nval;
        st.nextToken();
        int m = (int) st.nval;
        Main sets = new Main(n);
        while (m-- > 0) {
            st.nextToken();
            int a = (int) st.nval;
            st.nextToken();
            sets.join(a, (int) st.nval);
        }
        System.out.println(sets.groups);
    }
}
