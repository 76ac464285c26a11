# Longest strictly increasing subsequence in O(n log n).


def lower_bound(values, target):
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def longest_increasing(sequence):
    best_ends = []
    for value in sequence:
        position = lower_bound(best_ends, value)
        if position == len(best_ends):
            best_ends.append(value)
        else:
            best_ends[position] = value
    return len(best_ends)


def main():
    count = int(input())
    sequence = []
    while len(sequence) < count:
        sequence.extend(int(token) for token in input().split())
    print(longest_increasing(sequence))


if __name__ == '__main__':
    main()
