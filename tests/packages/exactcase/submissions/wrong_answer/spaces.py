print("Even  number" if int(input()) % 2 == 0 else "Odd  number")
