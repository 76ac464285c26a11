from sandbox.languages.base import Language

CPP = Language(
    name="cpp",
    title="C++",
    extensions=("cc", "cpp", "cxx"),
    source_name="main.cpp",
    compile_argv=("/usr/bin/g++", "-O2", "-std=gnu++17", "-o", "main", "main.cpp"),
    run_argv=("/box/main",),
    requires=("/usr/bin/g++",),
    self_test='#include <iostream>\nint main() { std::cout << "hello" << std::endl; }\n',
)
