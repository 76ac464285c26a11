print("EVEN NUMBER" if int(input()) % 2 == 0 else "ODD NUMBER")
