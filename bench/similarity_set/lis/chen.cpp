#include <algorithm>
#include <iostream>
#include <iterator>
#include <set>

int main() {
    std::ios_base::sync_with_stdio(false);
    std::size_t n;
    std::cin >> n;
    std::set<int> piles;
    std::for_each(std::istream_iterator<int>(std::cin), std::istream_iterator<int>(), [&](int card) {
        auto above = piles.lower_bound(card);
        if (above != piles.end()) piles.erase(above);
        piles.insert(card);
    });
    std::cout << piles.size() << "\n";
    return 0;
}
