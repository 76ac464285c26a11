"""How `codearena package` assembles infra/ (codearena_cli/package.py), on small inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codearena_cli.package import (
    _finish_functions,
    _inline_files,
    _load,
    _merge_pieces,
    environment_lines,
    judge_host_packages,
)
from codearena_cli.system_packages import GROUPS


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_pieces_merge_into_the_template_and_patch_its_resources(tmp_path: Path) -> None:
    template: dict[str, Any] = {"Resources": {"RestAPI": {"Type": "X", "Properties": {"Name": "a"}}}}
    network = write(tmp_path / "network.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
    apis = write(
        tmp_path / "apis.yaml", "Resources:\n  RestAPI:\n    Properties:\n      TracingEnabled: true\n"
    )
    _merge_pieces(template, [apis, network])
    assert template["Resources"] == {
        "RestAPI": {"Type": "X", "Properties": {"Name": "a", "TracingEnabled": True}},
        "Vpc": {"Type": "AWS::EC2::VPC"},
    }


def test_a_piece_replaces_an_intrinsic_function_instead_of_merging_it(tmp_path: Path) -> None:
    chalice = {"Role": {"Fn::GetAtt": ["DefaultRole", "Arn"]}, "Layers": ["a"]}
    template: dict[str, Any] = {"Resources": {"Scale": {"Type": "X", "Properties": chalice}}}
    piece = "Resources:\n  Scale:\n    Properties:\n      Role: !GetAtt Own.Arn\n      Layers: [b]\n"
    _merge_pieces(template, [write(tmp_path / "scaling.yaml", piece)])
    assert template["Resources"]["Scale"]["Properties"] == {
        "Role": {"Fn::GetAtt": ["Own", "Arn"]},
        "Layers": ["a", "b"],
    }


def test_two_pieces_defining_one_name_are_refused(tmp_path: Path) -> None:
    first = write(tmp_path / "data.yaml", "Parameters:\n  Size:\n    Type: Number\n")
    second = write(tmp_path / "judges.yaml", "Parameters:\n  Size:\n    Type: String\n")
    with pytest.raises(ValueError, match="Parameters Size: in both data.yaml and judges.yaml"):
        _merge_pieces({"Resources": {}}, [first, second])


def test_each_function_gets_the_properties_and_resources_named_after_it() -> None:
    template: dict[str, Any] = {
        "Resources": {
            "Api": {"Type": "AWS::Serverless::Function", "Properties": {"Layers": ["chalice"]}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        }
    }
    each = {
        "Properties": {"Layers": [{"Ref": "CoreLayer"}], "Tracing": "Active"},
        "Resources": {"FUNCTIONLogGroup": {"Type": "AWS::Logs::LogGroup", "Name": "/aws/lambda/${FUNCTION}"}},
    }
    _finish_functions(template, each)
    resources = template["Resources"]
    assert resources["Api"]["Properties"] == {
        "Layers": ["chalice", {"Ref": "CoreLayer"}],
        "Tracing": "Active",
    }
    assert resources["ApiLogGroup"] == {"Type": "AWS::Logs::LogGroup", "Name": "/aws/lambda/${Api}"}
    assert resources["Role"]["Properties"] == {}
    assert "FUNCTIONLogGroup" not in resources


def test_infra_files_are_inlined_with_their_words_filled_in(tmp_path: Path) -> None:
    write(tmp_path / "boot.sh", "apt-get install @PACKAGES@\n")
    piece = write(tmp_path / "piece.yaml", "UserData: !Base64\n  Fn::Sub: !InfraFile boot.sh\n")
    loaded = _inline_files(_load(piece), tmp_path, {"@PACKAGES@": "gcc rustc"})
    assert loaded == {"UserData": {"Fn::Base64": {"Fn::Sub": "apt-get install gcc rustc\n"}}}


def test_a_word_nothing_fills_in_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "boot.sh", "install @PACKAGES@ @TYPO@\n")
    with pytest.raises(ValueError, match="boot.sh: nothing fills in @TYPO@"):
        _inline_files({"x": {"codearena::InfraFile": "boot.sh"}}, tmp_path, {"@PACKAGES@": "gcc"})


def test_environment_lines_are_fn_sub_text() -> None:
    environment = {
        "Variables": {
            "PLAIN": "production",
            "LITERAL": "a${b}",
            "REF": {"Ref": "Secret"},
            "ATTRIBUTE": {"Fn::GetAtt": ["Database", "Endpoint.Address"]},
            "SUB": {"Fn::Sub": "https://${Api}.example/api"},
        }
    }
    assert environment_lines(environment) == [
        "PLAIN=production",
        "LITERAL=a${!b}",
        "REF=${Secret}",
        "ATTRIBUTE=${Database.Endpoint.Address}",
        "SUB=https://${Api}.example/api",
    ]
    with pytest.raises(ValueError, match="cannot write"):
        environment_lines({"Variables": {"JOINED": {"Fn::Join": ["", ["a", "b"]]}}})


def test_judge_hosts_install_the_sandbox_languages_and_docker() -> None:
    packages = judge_host_packages()
    for group in ("sandbox", "languages", "docker"):
        assert {package.name for package in GROUPS[group]} <= set(packages), group
    assert "python3-venv" in packages  # the release is installed into a venv
    assert "chromium" not in packages  # browser tests are not a judge host's business
