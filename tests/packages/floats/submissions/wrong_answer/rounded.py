a, b = map(int, input().split())
print("nan" if a == 0 and b == 0 else ("inf" if b == 0 else f"{a / b:.2f}"))
