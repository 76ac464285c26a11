from sandbox.languages.base import Language

# "Compiling" is a parse (luac -p writes nothing).
LUA = Language(
    name="lua",
    title="Lua 5.4",
    extensions=("lua",),
    source_name="main.lua",
    compile_argv=("/usr/bin/luac5.4", "-p", "main.lua"),
    run_argv=("/usr/bin/lua5.4", "main.lua"),
    requires=("/usr/bin/luac5.4", "/usr/bin/lua5.4"),
    self_test='print("hello")\n',
)
