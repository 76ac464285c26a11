"""The CLICS world (the ICPC's Contest API and contest packages, icpc/ccs-specs): CodeArena's
contests as Contest API objects (`objects`), finished contests read from a contest package
(`package`), and the specification's time formats (`times`)."""
