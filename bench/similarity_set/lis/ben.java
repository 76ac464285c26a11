// Longest strictly increasing subsequence with patience sorting.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.StringTokenizer;

public class Main {
    static int lowerBound(List<Long> ends, long value) {
        int low = 0;
        int high = ends.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (ends.get(middle) < value) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    static int longestIncreasing(long[] sequence) {
        List<Long> ends = new ArrayList<>();
        for (long value : sequence) {
            int position = lowerBound(ends, value);
            if (position == ends.size()) {
                ends.add(value);
            } else {
                ends.set(position, value);
            }
        }
        return ends.size();
    }

    public static void main(String[] args) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in));
        int count = Integer.parseInt(reader.readLine().trim());
        long[] sequence = new long[count];
        int filled = 0;
        while (filled < count) {
            StringTokenizer tokens = new StringTokenizer(reader.readLine());
            while (tokens.hasMoreTokens()) {
                sequence[filled++] = Long.parseLong(tokens.nextToken());
            }
        }
        System.out.println(longestIncreasing(sequence));
    }
}
