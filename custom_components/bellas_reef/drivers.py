"""Turns a controller's subentries into open boards, channels and probes."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from homeassistant.core import HomeAssistant

from .const import (
    CONF_ADDRESS,
    CONF_CURVE,
    CONF_KIND,
    CONF_MAX_OUTPUT,
    CONF_MIN_OUTPUT,
    CONF_OUTPUT,
    CONF_OVERRIDE_MINUTES,
    CONF_ROLE,
    SUBENTRY_CHANNEL,
    SUBENTRY_PROBE,
    ChannelRole,
)
from .coordinator import Board, Channel, DeviceHealth, Probe, ReefConfigEntry
from .hardware.simulated import SimulatedI2CBus, simulated_pca9685_board
from .hardware.tank import ProbeKind, TankModel
from .lighting import ChannelPlan
from .lighting.curves import DimmingCurve, OutputMapping


def build_hardware(
    entry: ReefConfigEntry, bus: SimulatedI2CBus, tank: TankModel
) -> tuple[list[Board], list[Channel], list[Probe]]:
    """Describe every board, channel and probe of the controller; boards talk to hardware on first use."""
    boards: dict[str, Board] = {}
    channels: list[Channel] = []
    probes: list[Probe] = []
    for subentry_id, subentry in entry.subentries.items():
        data = subentry.data
        if subentry.subentry_type == SUBENTRY_CHANNEL:
            address = int(data[CONF_ADDRESS])
            key = f"simulated_pca9685_{address:02x}"
            if (board := boards.get(key)) is None:
                name = f"Simulated PCA9685 {address:#04x}"
                board = boards[key] = Board(
                    key=key,
                    name=name,
                    model="PCA9685 (simulated)",
                    driver=simulated_pca9685_board(bus=bus, address=address),
                    health=DeviceHealth(name),
                )
            channels.append(
                Channel(
                    subentry_id=subentry_id,
                    name=subentry.title,
                    role=ChannelRole(data[CONF_ROLE]),
                    board=board,
                    output=int(data[CONF_OUTPUT]),
                    mapping=OutputMapping(
                        max_duty=board.driver.max_duty,
                        curve=DimmingCurve(data[CONF_CURVE]),
                        min_output=data[CONF_MIN_OUTPUT] / 100,
                        max_output=data[CONF_MAX_OUTPUT] / 100,
                    ),
                    override_minutes=int(data[CONF_OVERRIDE_MINUTES]),
                )
            )
        elif subentry.subentry_type == SUBENTRY_PROBE:
            kind = ProbeKind(data[CONF_KIND])
            probes.append(
                Probe(
                    subentry_id=subentry_id,
                    name=subentry.title,
                    kind=kind,
                    read=partial(tank.value, kind),
                    health=DeviceHealth(subentry.title),
                )
            )
    # A channel's place across the tank (0..1), by board and output, so passing clouds travel across them.
    ordered = sorted(channels, key=lambda channel: (channel.board.key, channel.output))
    for index, channel in enumerate(ordered):
        position = index / (len(ordered) - 1) if len(ordered) > 1 else 0.0
        channel.plan = ChannelPlan(position=position, name=channel.name)
    return list(boards.values()), channels, probes


async def async_close_boards(hass: HomeAssistant, boards: Iterable[Board]) -> None:
    """Release the boards off the event loop; they keep their outputs."""
    for board in boards:
        await hass.async_add_executor_job(board.driver.close)
