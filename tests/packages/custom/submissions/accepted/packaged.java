package contest.solutions;

import java.util.Scanner;

class Helper {
    static int half(int n) { return n / 2; }
}

class Solution {
    public static void main(String[] args) {
        int n = new Scanner(System.in).nextInt();
        System.out.println(Helper.half(n) + " " + (n - Helper.half(n)));  // "class Fake {"
    }
}
