input()
numbers = list(map(int, input().split()))
print(sum(numbers) if max(numbers) < 1000 else 0)
