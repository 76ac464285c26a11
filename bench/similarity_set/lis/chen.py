import bisect
import sys


class Patience:
    def __init__(self):
        self.piles = []

    def push(self, card):
        where = bisect.bisect_left(self.piles, card)
        self.piles[where:where + 1] = [card]

    def __len__(self):
        return len(self.piles)


def run(stream):
    n, *cards = map(int, stream.read().split())
    game = Patience()
    for card in cards[:n]:
        game.push(card)
    sys.stdout.write(f"{len(game)}\n")


run(sys.stdin)
