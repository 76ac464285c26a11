// validate input answer feedback_dir at_least N < team_output
#include <fstream>
#include <iostream>
#include <string>
#include "pair.h"

int main(int argc, char** argv) {
    if (argc < 6 || std::string(argv[4]) != "at_least") return 1;  // a judge error
    long long low = std::stoll(argv[5]);
    std::ifstream input(argv[1]);
    long long n;
    input >> n;
    long long a, b;
    if (!(std::cin >> a >> b)) judge(false, argv[3], "expected two numbers");
    std::string rest;
    if (std::cin >> rest) judge(false, argv[3], "trailing output");
    if (a < low || b < low) judge(false, argv[3], "a summand is too small");
    judge(a + b == n, argv[3], a + b == n ? "ok" : "wrong sum");
}
