"""Programs in every language of the registry, one entry each: `SUM` prints the sum of the
integers on its input (so it answers A+B); `BROKEN` fails to compile, with a piece of the
message the compiler gives. The sandbox, CLI and end-to-end tests run them all; the self-test
program of each language (sandbox/languages/) prints "hello", a wrong answer to A+B."""

from __future__ import annotations

SUM = {
    "python": """import sys
print(sum(map(int, sys.stdin.read().split())))
""",
    "c": """#include <stdio.h>
int main(void) { long x, s = 0; while (scanf("%ld", &x) == 1) s += x; printf("%ld\\n", s); return 0; }
""",
    "cpp": """#include <bits/stdc++.h>
int main() { long x, s = 0; while (std::cin >> x) s += x; std::cout << s << "\\n"; }
""",
    "java": """import java.util.*;
public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        long s = 0;
        while (in.hasNextLong()) s += in.nextLong();
        System.out.println(s);
    }
}
""",
    "javascript": """const s = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean)
  .reduce((a, b) => a + Number(b), 0);
console.log(s);
""",
    "go": """package main

import "fmt"

func main() {
	var x, s int64
	for {
		if _, err := fmt.Scan(&x); err != nil {
			break
		}
		s += x
	}
	fmt.Println(s)
}
""",
    "rust": """use std::io::Read;
fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).unwrap();
    let s: i64 = text.split_whitespace().map(|t| t.parse::<i64>().unwrap()).sum();
    println!("{}", s);
}
""",
    "pypy": """import sys
print(sum(map(int, sys.stdin.read().split())))
""",
    "kotlin": """fun main() {
    val s = generateSequence(::readLine).flatMap { it.split(' ', '\\t').asSequence() }
        .filter { it.isNotEmpty() }.map { it.toLong() }.sum()
    println(s)
}
""",
    "csharp": """using System;
class Program {
    static void Main() {
        long s = 0;
        foreach (var t in Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries))
            s += long.Parse(t);
        Console.WriteLine(s);
    }
}
""",
    "ruby": "puts STDIN.read.split.map(&:to_i).sum\n",
    "php": """<?php
$s = 0;
foreach (preg_split('/\\s+/', trim(stream_get_contents(STDIN))) as $t) $s += (int)$t;
echo $s, "\\n";
""",
    "haskell": """main :: IO ()
main = interact $ \\s -> show (sum (map read (words s) :: [Integer])) ++ "\\n"
""",
    "pascal": """program Sum;
var x, s: int64;
begin
  s := 0;
  while not seekeof do begin read(x); s := s + x; end;
  writeln(s);
end.
""",
    "ocaml": """let () =
  let s = ref 0 in
  (try while true do Scanf.scanf " %d" (fun x -> s := !s + x) done
   with _ -> ());
  Printf.printf "%d\\n" !s
""",
    "lua": """local s = 0
for x in io.read("a"):gmatch("%S+") do s = s + tonumber(x) end
print(s)
""",
    "perl": """my $s = 0;
$s += $_ for split ' ', do { local $/; <STDIN> };
print "$s\\n";
""",
    "scala": """object Main {
  def main(args: Array[String]): Unit =
    println(scala.io.Source.stdin.mkString.split("\\\\s+").filter(_.nonEmpty).map(_.toLong).sum)
}
""",
    "fortran": """program total
  implicit none
  character(len=4096) :: line
  integer(8) :: v(100), s
  integer :: n, stat
  s = 0
  do
    read(*, '(a)', iostat=stat) line
    if (stat /= 0) exit
    do n = 1, 100
      read(line, *, iostat=stat) v(1:n)
      if (stat /= 0) exit
    end do
    s = s + sum(v(1:n - 1))
  end do
  print '(i0)', s
end program total
""",
    "ada": """with Ada.Text_IO; with Ada.Long_Long_Integer_Text_IO;
procedure Solve is
   X, S : Long_Long_Integer := 0;
begin
   while not Ada.Text_IO.End_Of_File loop
      Ada.Long_Long_Integer_Text_IO.Get (X);
      S := S + X;
   end loop;
   Ada.Long_Long_Integer_Text_IO.Put (S, Width => 0);
   Ada.Text_IO.New_Line;
end Solve;
""",
    "commonlisp": """(let ((s 0))
  (loop for x = (read *standard-input* nil nil) while x do (incf s x))
  (format t "~d~%" s))
""",
    "elixir": """IO.read(:stdio, :eof)
|> String.split()
|> Enum.map(&String.to_integer/1)
|> Enum.sum()
|> IO.puts()
""",
    "r": """x <- scan(file("stdin"), what = numeric(), quiet = TRUE)
cat(format(sum(x), scientific = FALSE), "\\n", sep = "")
""",
    "prolog": """main :-
    read_string(user_input, _, Text),
    split_string(Text, " \\n\\t", " \\n\\t", Parts),
    exclude(==(""), Parts, Tokens),
    maplist(number_string, Numbers, Tokens),
    sum_list(Numbers, Sum),
    format("~d~n", [Sum]).
""",
    "awk": """{ for (i = 1; i <= NF; i++) s += $i }
END { print s + 0 }
""",
    "bash": """s=0
for x in $(cat); do s=$((s + x)); done
echo "$s"
""",
}
BROKEN = {
    "python": ("def f(:\n", "SyntaxError"),
    "c": ("int main(void) { return missing_name; }\n", "missing_name"),
    "cpp": ("int main() { return missing_name; }\n", "missing_name"),
    "java": ('public class Main { void f() { int x = "s"; } }\n', "incompatible types"),
    "javascript": ("function (\n", "SyntaxError"),
    "go": (
        """package main

func main() { undefinedCall() }
""",
        "undefined: undefinedCall",
    ),
    "rust": ('fn main() { let x: u8 = "s"; }\n', "mismatched types"),
    "pypy": ("def f(:\n", "SyntaxError"),
    "kotlin": ('fun main() { val x: Int = "s" }\n', "type mismatch"),
    "csharp": ('class P { static void Main() { int x = "s"; } }\n', "error CS0029"),
    "ruby": ("def f(\n", "syntax error"),
    "php": (
        """<?php
function (
""",
        "Parse error",
    ),
    "haskell": (
        """main :: IO ()
main = putStrLn (1 + "s")
""",
        "No instance",
    ),
    "pascal": (
        """program P;
begin
  undefinedName := 1;
end.
""",
        "Identifier not found",
    ),
    "ocaml": ('let () = print_int "s"\n', "This expression has type string"),
    "lua": ("print((\n", "unexpected symbol"),
    "perl": ("my $x = ;\n", "syntax error"),
    "scala": (
        'object Main { def main(args: Array[String]): Unit = { val x: Int = "s" } }\n',
        "type mismatch",
    ),
    "fortran": (
        """program p
  implicit none
  x = 1
end program p
""",
        "no IMPLICIT type",
    ),
    "ada": (
        """procedure Main is
begin
   Undefined_Name;
end Main;
""",
        "is undefined",
    ),
    "commonlisp": (
        """(defun f (x) (+ x undefined-name))
(f 1
""",
        "end of file",
    ),
    "elixir": ("IO.puts(\n", "missing terminator"),
    "r": ("x <- (1 +\n", "unexpected end of input"),
    "prolog": ("main :- write(hello\n", "Syntax error"),
    "awk": ("{ print $1 ) }\n", "syntax error"),
    "bash": ("if true; then\n", "syntax error"),
}
