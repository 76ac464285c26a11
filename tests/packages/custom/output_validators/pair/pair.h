// Kattis output validator helpers: the verdict is the exit code.
#include <cstdio>
#include <cstdlib>
#include <string>

inline void judge(bool accepted, const std::string& feedback_dir, const char* message) {
    std::string path = feedback_dir + "judgemessage.txt";
    if (FILE* file = std::fopen(path.c_str(), "w")) {
        std::fputs(message, file);
        std::fclose(file);
    }
    std::exit(accepted ? 42 : 43);
}
