"""The docker backend: `sandbox.backend.Backend` with one fresh container per compile or run.

For hosts that require containers. A container costs ~250 ms to create, start and remove,
about 10× a namespace-backend run, so it is not the default. Select it with
`start_backend("docker")` or `DockerSandbox.start()`.

Every container: `--network none`, read-only root, memory limit = memory+swap limit, pids
limit, the box's own non-root uid, `--cap-drop ALL`, no-new-privileges, docker's default
seccomp profile, size-capped tmpfs `/tmp` and `/dev/shm`, rlimits (fsize = output limit,
core 0, nofile, stack, CPU as a backstop), no log driver.

    backend.py  DockerSandbox: the daemon connection, the image check, the boxes' cgroups
    box.py      DockerBox: scratch, stdio files and one container per execution, watched
    daemon.py   the private dockerd (`python -m sandbox.docker.daemon start|stop|status`)
    images.py   the judge image from debootstrap (`python -m sandbox.images`, `make images`)

The daemon is the host's ($DOCKER_HOST) or the private one. CPU accounting needs the daemon
on this host with the cgroupfs driver; otherwise the sandbox is degraded to wall-clock
limits. Only this subpackage imports the docker SDK. (Nothing is imported here, so that
`python -m sandbox.docker.daemon` runs its module once.)
"""
