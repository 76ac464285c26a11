import java.util.*;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        int n = in.nextInt();
        int[] t = new int[n];
        int len = 0;
        for (int i = 0; i < n; i++) {
            int x = in.nextInt();
            int k = Arrays.binarySearch(t, 0, len, x);
            if (k < 0) k = -k - 1;
            t[k] = x;
            if (k == len) len++;
        }
        System.out.println(len);
    }
}
