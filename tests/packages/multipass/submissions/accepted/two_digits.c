/* Each character as two digits (its code minus 32: printable ASCII), and back. */
#include <stdio.h>
#include <string.h>

int main(void) {
    char mode[16], line[4096];
    if (!fgets(mode, sizeof mode, stdin) || !fgets(line, sizeof line, stdin)) return 1;
    line[strcspn(line, "\n")] = 0;
    if (strncmp(mode, "encode", 6) == 0) {
        for (char *c = line; *c; c++) printf("%02d", *c - 32);
    } else {
        for (size_t i = 0; line[i] && line[i + 1]; i += 2)
            putchar((line[i] - '0') * 10 + (line[i + 1] - '0') + 32);
    }
    putchar('\n');
    return 0;
}
