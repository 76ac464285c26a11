a, b = map(int, input().split())
print("nan" if b == 0 and a == 0 else ("inf" if b == 0 else a // b))
