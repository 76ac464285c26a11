// Longest strictly increasing subsequence, patience sorting with a hand-written binary search.
#include <iostream>
#include <vector>

static int firstNotLess(const std::vector<long long> &ends, long long value) {
    int low = 0, high = (int)ends.size();
    while (low < high) {
        int middle = low + (high - low) / 2;
        if (ends[middle] < value) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    return low;
}

static int longestIncreasing(const std::vector<long long> &sequence) {
    std::vector<long long> ends;
    for (long long value : sequence) {
        int position = firstNotLess(ends, value);
        if (position == (int)ends.size()) {
            ends.push_back(value);
        } else {
            ends[position] = value;
        }
    }
    return (int)ends.size();
}

int main() {
    int count = 0;
    std::cin >> count;
    std::vector<long long> sequence(count);
    for (int index = 0; index < count; ++index) {
        std::cin >> sequence[index];
    }
    std::cout << longestIncreasing(sequence) << std::endl;
    return 0;
}
