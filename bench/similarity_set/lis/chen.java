import java.io.DataInputStream;
import java.io.IOException;
import java.util.TreeSet;

public class Main {
    private static final DataInputStream IN = new DataInputStream(System.in);

    private static int nextInt() throws IOException {
        int ch = IN.read();
        while (ch != '-' && (ch < '0' || ch > '9')) ch = IN.read();
        boolean negative = ch == '-';
        if (negative) ch = IN.read();
        int result = 0;
        for (; ch >= '0' && ch <= '9'; ch = IN.read()) result = result * 10 + ch - '0';
        return negative ? -result : result;
    }

    public static void main(String[] args) throws IOException {
        int cards = nextInt();
        TreeSet<Integer> piles = new TreeSet<>();
        while (cards-- > 0) {
            int card = nextInt();
            Integer above = piles.ceiling(card);
            if (above != null) piles.remove(above);
            piles.add(card);
        }
        System.out.println(piles.size());
    }
}
