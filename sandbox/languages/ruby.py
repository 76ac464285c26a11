from sandbox.languages.base import Language

# "Compiling" is a syntax check. Without RubyGems (no gem is installed for it to find) a run
# starts in a third of the time.
RUBY = Language(
    name="ruby",
    title="Ruby",
    extensions=("rb",),
    source_name="main.rb",
    compile_argv=("/usr/bin/ruby", "--disable-gems", "-c", "main.rb"),
    run_argv=("/usr/bin/ruby", "--disable-gems", "main.rb"),
    requires=("/usr/bin/ruby",),
    self_test='puts "hello"\n',
)
