"""The frames between the program's process and the engine: a registration survives the trip, garbage does not."""

from __future__ import annotations

import io
import os

import pytest
from google.protobuf import struct_pb2

from landing_zone.errors import IncompletePlanError
from landing_zone.preview.recorder import Registration
from landing_zone.preview.runner import ProgramError, record
from landing_zone.preview.sandbox_wire import (
    WireError,
    decode_registration,
    encode_registration,
    read_frame,
    write_frame,
)


def registration() -> Registration:
    inputs = struct_pb2.Struct()
    inputs.update({"properties": {"enablePurgeProtection": False}, "vaultName": "kv-1"})
    return Registration(
        urn="urn:pulumi:dev::p::azure-native:keyvault:Vault::keys",
        type="azure-native:keyvault:Vault",
        name="keys",
        parent="urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev",
        custom=True,
        inputs_struct=inputs,
        outputs_struct=inputs,
        dependencies=["urn:pulumi:dev::p::azure-native:resources:ResourceGroup::rg"],
        property_dependencies={"resourceGroupName": ["urn:pulumi:dev::p::azure-native:resources:ResourceGroup::rg"]},
        protect=True,
        custom_timeouts={"create": "30m", "update": "", "delete": ""},
    )


def test_a_registration_survives_a_frame_round_trip() -> None:
    read_fd, write_fd = os.pipe()
    write_frame(write_fd, {"kind": "registration", "registration": encode_registration(registration())})
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as stream:
        frame = read_frame(stream)
        assert read_frame(stream) is None
    assert frame is not None
    assert decode_registration(frame["registration"]) == registration()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"urn": 7}, "'urn' is not a string"),
        ({"inputs_struct": {"properties": {}}}, "'inputs_struct' is not a protobuf Struct"),
        ({"dependencies": "urn:x"}, "'dependencies' is not a list of strings"),
        ({"property_dependencies": {"a": [1]}}, "'property_dependencies' is not a map of URN lists"),
        ({"evil": "__import__('os')"}, "unknown fields: ['evil']"),
        ({"inputs_struct": {"__protobuf__": "no.such.Type", "bytes": ""}}, "unknown protobuf type 'no.such.Type'"),
    ],
)
def test_a_malformed_registration_is_refused(change: dict[str, object], message: str) -> None:
    encoded = {**encode_registration(registration()), **change}
    with pytest.raises(WireError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        decode_registration(encoded)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00\x00\x09{}", "ended in the middle of a frame"),
        (b"\x00\x00\x00\x02[]", "not an object with a 'kind'"),
        (b"\x00\x00\x00\x02\xff\xfe", "not UTF-8 JSON"),
        (b"\xff\xff\xff\xff", "exceeds the"),
        (b"\x00\x00", "ended in the middle of a frame"),
    ],
)
def test_a_malformed_frame_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(WireError, match=message):
        read_frame(io.BytesIO(data))


def test_an_incomplete_plan_the_program_swallowed_fails_the_in_process_run_too() -> None:
    def program() -> None:
        try:
            raise IncompletePlanError(
                "no outputs for stack org/hub/prod", kind="stack-reference", subject="org/hub/prod"
            )
        except IncompletePlanError:
            pass

    with pytest.raises(ProgramError) as failure:
        record(program)
    assert isinstance(failure.value.cause, IncompletePlanError)
    assert failure.value.cause.subject == "org/hub/prod"


def test_sys_exit_in_a_recorded_program_is_a_program_error() -> None:
    def program() -> None:
        raise SystemExit(0)

    with pytest.raises(ProgramError) as failure:
        record(program)
    assert isinstance(failure.value.cause, SystemExit)
