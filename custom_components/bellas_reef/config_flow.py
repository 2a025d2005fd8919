"""Config flow for Bella's Reef: one controller per tank, channels and probes as its subentries."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er, selector
from homeassistant.util import slugify
import probatio as vol

from . import drivers
from .const import (
    CONF_ADDRESS,
    CONF_BOOT_DELAY,
    CONF_BUS,
    CONF_CHANNEL,
    CONF_CONNECTION,
    CONF_CURVE,
    CONF_DB_URL,
    CONF_DEVICE_ID,
    CONF_DRIVER,
    CONF_ENTITY_ID,
    CONF_FAILSAFE_MINUTES,
    CONF_FREQUENCY,
    CONF_HOST,
    CONF_KIND,
    CONF_LOCATION,
    CONF_MAC,
    CONF_MAX_OUTPUT,
    CONF_MIN_OUTPUT,
    CONF_OUTPUT,
    CONF_OVERRIDE_MINUTES,
    CONF_PASSWORD,
    CONF_PIN,
    CONF_PIN_FACTORY,
    CONF_PORT,
    CONF_RETENTION_DAYS,
    CONF_ROLE,
    CONF_RULES,
    CONF_SAFETY_MODE_LIGHTS,
    CONF_SAFETY_MODE_OUTLETS,
    CONF_SOCKET,
    CONF_STORE,
    CONF_TEMPERATURE_PROBE,
    CONF_USERNAME,
    CONF_VESYNC,
    CONF_WATTS,
    DEFAULT_FAILSAFE_MINUTES,
    DEFAULT_OVERRIDE_MINUTES,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SIMULATED_ADDRESS,
    DOMAIN,
    EZO_DRIVERS,
    STORE_EMBEDDED,
    STORE_POSTGRESQL,
    SUBENTRY_CHANNEL,
    SUBENTRY_OUTLET,
    SUBENTRY_PROBE,
    ChannelDriver,
    ChannelRole,
    OutletDriver,
    ProbeDriver,
)
from .hardware.errors import DeviceMissingError, HardwareError
from .hardware.ezo import INFO, SPECS, EzoCircuit, EzoProbe
from .hardware.gpio import AUTO_PIN_FACTORY, FIRST_PIN, LAST_PIN, PIN_FACTORIES
from .hardware.i2c import scan_i2c
from .hardware.probes import list_ds18b20
from .hardware.tank import ProbeKind
from .history import (
    DatabaseAuthError,
    DatabaseNotFoundError,
    DatabasePermissionError,
    DatabaseUnreachableError,
    DatabaseUrlError,
    InvalidDatabaseUrlError,
    validate_postgres_url,
)
from .lighting.curves import DimmingCurve
from .monitor import keeper_unit
from .outlets import OutletAuthError, OutletError, OutletNotFoundError, OutletRole
from .outlets.kasa import KasaDevice
from .safety import CELSIUS, OUTLET_ROLES, Rule, RuleError, convert_temperature_rule, rules_from_list


def _select(options: list[str], translation_key: str) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=options, translation_key=translation_key, mode=selector.SelectSelectorMode.DROPDOWN
        )
    )


def _number(low: float, high: float, step: float, unit: str | None = None) -> selector.NumberSelector:
    config = selector.NumberSelectorConfig(min=low, max=high, step=step, mode=selector.NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


def _controller_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME, default=defaults[CONF_NAME]): selector.TextSelector(),
            vol.Required(CONF_LOCATION, default=defaults[CONF_LOCATION]): selector.LocationSelector(
                selector.LocationSelectorConfig(radius=False)
            ),
            vol.Required(CONF_STORE, default=defaults.get(CONF_STORE, STORE_EMBEDDED)): _select(
                [STORE_EMBEDDED, STORE_POSTGRESQL], CONF_STORE
            ),
            vol.Optional(
                CONF_DB_URL, description={"suggested_value": defaults.get(CONF_DB_URL)}
            ): selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)),
            vol.Required(
                CONF_RETENTION_DAYS, default=defaults.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
            ): _number(1, 3650, 1, "d"),
        }
    )


def _has_name(name: str) -> bool:
    return any(char.isalnum() for char in name)


def _controller_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    location = user_input[CONF_LOCATION]
    data = {
        CONF_NAME: user_input[CONF_NAME].strip(),
        CONF_LATITUDE: float(location[CONF_LATITUDE]),
        CONF_LONGITUDE: float(location[CONF_LONGITUDE]),
        CONF_STORE: user_input[CONF_STORE],
        CONF_RETENTION_DAYS: int(user_input[CONF_RETENTION_DAYS]),
    }
    if user_input[CONF_STORE] == STORE_POSTGRESQL:
        data[CONF_DB_URL] = user_input.get(CONF_DB_URL, "").strip()
    return data


_DATABASE_ERRORS: dict[type[DatabaseUrlError], str] = {
    InvalidDatabaseUrlError: "invalid_db_url",
    DatabaseUnreachableError: "cannot_connect",
    DatabaseAuthError: "invalid_auth",
    DatabaseNotFoundError: "database_not_found",
    DatabasePermissionError: "database_permission",
}


async def _store_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Test a PostgreSQL URL before it is accepted: the form says what is wrong with it."""
    if data[CONF_STORE] != STORE_POSTGRESQL:
        return {}
    if not data[CONF_DB_URL]:
        return {CONF_DB_URL: "db_url_required"}
    try:
        await validate_postgres_url(data[CONF_DB_URL])
    except DatabaseUrlError as err:
        return {CONF_DB_URL: _DATABASE_ERRORS[type(err)]}
    return {}


class BellasReefConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a controller: the tank's name and where it is (for real sun and moon times)."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> ReefOptionsFlow:
        """Safety rules and settings are options of the controller."""
        return ReefOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Channels and probes are added to a controller one at a time."""
        return {
            SUBENTRY_CHANNEL: ChannelSubentryFlow,
            SUBENTRY_PROBE: ProbeSubentryFlow,
            SUBENTRY_OUTLET: OutletSubentryFlow,
        }

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the tank's name and location."""
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = {
            CONF_NAME: "Reef tank",
            CONF_LOCATION: {
                CONF_LATITUDE: self.hass.config.latitude,
                CONF_LONGITUDE: self.hass.config.longitude,
            },
        }
        if user_input is not None:
            data = _controller_data(user_input)
            if not _has_name(data[CONF_NAME]):
                errors[CONF_NAME] = "name_required"
            else:
                await self.async_set_unique_id(slugify(data[CONF_NAME]))
                self._abort_if_unique_id_configured()
                errors = await _store_errors(data)
            if not errors:
                return self.async_create_entry(title=data[CONF_NAME], data=data)
            defaults = user_input
        return self.async_show_form(step_id="user", data_schema=_controller_schema(defaults), errors=errors)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The VeSync cloud rejected the controller's account."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the VeSync account's password again, and test it."""
        entry = self._get_reauth_entry()
        account = dict(entry.data[CONF_VESYNC])
        errors: dict[str, str] = {}
        if user_input is not None:
            account[CONF_PASSWORD] = user_input[CONF_PASSWORD]
            cloud = drivers.vesync_account(self.hass, account)
            try:
                await cloud.login()
            except OutletError as err:
                errors["base"] = _outlet_error(err)
            else:
                return self.async_update_reload_and_abort(entry, data_updates={CONF_VESYNC: account})
            finally:
                await cloud.close()
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_PASSWORD): selector.TextSelector(
                        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                    )
                }
            ),
            description_placeholders={"username": account[CONF_USERNAME]},
            errors=errors,
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Rename the tank or move it."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = {
            **entry.data,
            CONF_LOCATION: {
                CONF_LATITUDE: entry.data[CONF_LATITUDE],
                CONF_LONGITUDE: entry.data[CONF_LONGITUDE],
            },
        }
        if user_input is not None:
            data = _controller_data(user_input)
            slug = slugify(data[CONF_NAME])
            if not _has_name(data[CONF_NAME]):
                errors[CONF_NAME] = "name_required"
            elif any(
                other.unique_id == slug
                for other in self._async_current_entries(include_ignore=False)
                if other.entry_id != entry.entry_id
            ):
                errors[CONF_NAME] = "name_in_use"
            else:
                errors = await _store_errors(data)
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, unique_id=slug, title=data[CONF_NAME], data=data
                )
            defaults = user_input
        return self.async_show_form(
            step_id="reconfigure", data_schema=_controller_schema(defaults), errors=errors
        )


class _DriverSubentryFlow(ConfigSubentryFlow, ABC):
    """Shared steps of channel and probe flows: pick a driver, fill in its fields, refuse duplicates."""

    drivers: tuple[str, ...]

    @abstractmethod
    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        """Identify the physical thing behind `data`, so it cannot be configured twice."""

    @abstractmethod
    def _schema(self, driver: str) -> vol.Schema:
        """Return the form for `driver`'s fields."""

    @abstractmethod
    async def _async_validate(self, data: dict[str, Any]) -> dict[str, str]:
        """Normalize `data` in place and return form errors (it may talk to the device)."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer the drivers this kind of subentry supports."""
        return self.async_show_menu(step_id="user", menu_options=list(self.drivers))

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Edit the fields of the driver the subentry already uses."""
        subentry = self._get_reconfigure_subentry()
        return await self._async_driver_step(subentry.data[CONF_DRIVER], user_input, subentry.data)

    async def _async_driver_step(
        self,
        driver: str,
        user_input: dict[str, Any] | None,
        current: Mapping[str, Any] | None = None,
        step_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        reconfiguring = self.source == "reconfigure"
        step_id = "reconfigure" if reconfiguring else step_id or driver
        suggested: Mapping[str, Any] | None = current
        if user_input is not None:
            data = {CONF_DRIVER: driver, **(extra or {}), **user_input}
            errors = await self._async_validate(data)
            key = self._hardware_key(data)
            own_id = self._reconfigure_subentry_id if reconfiguring else None
            if not errors and any(
                sub.unique_id == key and sub.subentry_id != own_id
                for sub in self._get_entry().subentries.values()
            ):
                errors["base"] = "already_configured"
            if not errors:
                title = data.pop(CONF_NAME)
                if reconfiguring:
                    return self.async_update_and_abort(
                        self._get_entry(),
                        self._get_reconfigure_subentry(),
                        title=title,
                        data=data,
                        unique_id=key,
                    )
                return self.async_create_entry(title=title, data=data, unique_id=key)
            suggested = user_input
        if reconfiguring and current is not None and user_input is None:
            suggested = {**current, CONF_NAME: self._get_reconfigure_subentry().title}
        schema = self._schema(driver)
        if suggested is not None:
            schema = self.add_suggested_values_to_schema(schema, suggested)
        return self.async_show_form(
            step_id=step_id, data_schema=schema, errors=errors, description_placeholders={"driver": driver}
        )


def _own_entities(flow: ConfigSubentryFlow, domain: str) -> list[str]:
    """Entities of this integration, which cannot be adopted as their own channels or probes."""
    registry = er.async_get(flow.hass)
    return [
        entry.entity_id
        for entry in registry.entities.values()
        if entry.platform == DOMAIN and entry.domain == domain
    ]


def _bus_error(err: HardwareError) -> str:
    return "bus_not_found" if isinstance(err, DeviceMissingError) else "bus_error"


class ChannelSubentryFlow(_DriverSubentryFlow):
    """Add or edit a PWM LED channel."""

    drivers = tuple(ChannelDriver)
    _boards_found: list[int] | None = None

    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        match data[CONF_DRIVER]:
            case ChannelDriver.PCA9685:
                return f"pca9685:{data[CONF_BUS]}:{data[CONF_ADDRESS]}:{data[CONF_OUTPUT]}"
            case ChannelDriver.GPIO:
                return f"gpio:{data[CONF_PIN]}"
            case ChannelDriver.HA_LIGHT:
                return f"ha_light:{data[CONF_ENTITY_ID]}"
        return f"simulated:{data[CONF_ADDRESS]}:{data[CONF_OUTPUT]}"

    async def _async_validate(self, data: dict[str, Any]) -> dict[str, str]:
        for key in (CONF_ADDRESS, CONF_OUTPUT, CONF_OVERRIDE_MINUTES, CONF_BUS, CONF_PIN):
            if key in data:
                data[key] = int(data[key])
        if CONF_FREQUENCY in data:
            data[CONF_FREQUENCY] = float(data[CONF_FREQUENCY])
        if data[CONF_MIN_OUTPUT] >= data[CONF_MAX_OUTPUT]:
            return {CONF_MIN_OUTPUT: "min_not_below_max"}
        return {}

    def _schema(self, driver: str) -> vol.Schema:
        fields: dict[Any, Any] = {vol.Required(CONF_NAME): selector.TextSelector()}
        match driver:
            case ChannelDriver.PCA9685:
                if self._boards_found is None:
                    fields[vol.Required(CONF_BUS, default=1)] = _number(0, 99, 1)
                    fields[vol.Required(CONF_ADDRESS, default=DEFAULT_SIMULATED_ADDRESS)] = _number(
                        0x40, 0x7F, 1
                    )
                else:
                    fields[vol.Required(CONF_ADDRESS)] = selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[
                                selector.SelectOptionDict(value=str(address), label=f"{address:#04x}")
                                for address in self._boards_found
                            ],
                            mode=selector.SelectSelectorMode.DROPDOWN,
                        )
                    )
                fields[vol.Required(CONF_OUTPUT, default=0)] = _number(0, 15, 1)
                fields[vol.Required(CONF_FREQUENCY, default=1000)] = _number(24, 1526, 1, "Hz")
            case ChannelDriver.GPIO:
                fields[vol.Required(CONF_PIN, default=18)] = _number(FIRST_PIN, LAST_PIN, 1)
                fields[vol.Required(CONF_PIN_FACTORY, default=AUTO_PIN_FACTORY)] = _select(
                    [AUTO_PIN_FACTORY, *PIN_FACTORIES], CONF_PIN_FACTORY
                )
                fields[vol.Required(CONF_FREQUENCY, default=1000)] = _number(10, 10000, 1, "Hz")
            case ChannelDriver.HA_LIGHT:
                fields[vol.Required(CONF_ENTITY_ID)] = selector.EntitySelector(
                    selector.EntitySelectorConfig(
                        domain="light", exclude_entities=_own_entities(self, "light")
                    )
                )
            case _:
                fields[vol.Required(CONF_ADDRESS, default=DEFAULT_SIMULATED_ADDRESS)] = _number(0x40, 0x7F, 1)
                fields[vol.Required(CONF_OUTPUT, default=0)] = _number(0, 15, 1)
        default_curve = DimmingCurve.LINEAR if driver == ChannelDriver.HA_LIGHT else DimmingCurve.CIE1931
        fields |= {
            vol.Required(CONF_ROLE, default=ChannelRole.WHITE): _select(list(ChannelRole), CONF_ROLE),
            vol.Required(CONF_CURVE, default=default_curve): _select(list(DimmingCurve), CONF_CURVE),
            vol.Required(CONF_MIN_OUTPUT, default=0): _number(0, 99, 0.01, "%"),
            vol.Required(CONF_MAX_OUTPUT, default=100): _number(1, 100, 0.01, "%"),
            vol.Required(CONF_OVERRIDE_MINUTES, default=DEFAULT_OVERRIDE_MINUTES): _number(1, 1440, 1, "min"),
        }
        return vol.Schema(fields)

    async def async_step_pca9685(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A PCA9685 board on an I2C bus: first the bus, whose answering boards are then listed."""
        errors: dict[str, str] = {}
        if user_input is not None:
            bus_number = int(user_input[CONF_BUS])
            try:
                answering = await self.hass.async_add_executor_job(_scan_bus, bus_number)
            except HardwareError as err:
                errors[CONF_BUS] = _bus_error(err)
            else:
                self._boards_found = [address for address in answering if 0x40 <= address <= 0x7F]
                if self._boards_found:
                    self._bus = bus_number
                    return await self.async_step_pca9685_board()
                errors[CONF_BUS] = "no_boards_found"
        return self.async_show_form(
            step_id="pca9685",
            data_schema=vol.Schema({vol.Required(CONF_BUS, default=1): _number(0, 99, 1)}),
            errors=errors,
        )

    async def async_step_pca9685_board(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick one of the boards that answered, and the output the channel is wired to."""
        return await self._async_driver_step(
            ChannelDriver.PCA9685, user_input, step_id="pca9685_board", extra={CONF_BUS: self._bus}
        )

    async def async_step_gpio(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A Raspberry Pi GPIO pin driving an LED driver's PWM input."""
        return await self._async_driver_step(ChannelDriver.GPIO, user_input)

    async def async_step_ha_light(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An existing Home Assistant light (e.g. ESPHome), driven by the lighting programs."""
        return await self._async_driver_step(ChannelDriver.HA_LIGHT, user_input)

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A channel on the simulated PCA9685 board, for trying things without hardware."""
        return await self._async_driver_step(ChannelDriver.SIMULATED, user_input)


def _scan_bus(bus_number: int) -> list[int]:
    with drivers.i2c_bus(bus_number) as bus:
        return scan_i2c(bus)


def _check_ezo(bus_number: int, circuit: EzoCircuit, address: int) -> str | None:
    """Ask the circuit what it is; the error key when it is missing or a different circuit."""
    with drivers.i2c_bus(bus_number) as bus:
        try:
            reply = EzoProbe(bus, circuit, address).query(INFO)
        except DeviceMissingError:
            return "device_not_found"
        except HardwareError:
            return "device_error"
    device_type = reply.split(",")[1] if reply.count(",") else ""
    return None if device_type.lower() == SPECS[circuit].device_type.lower() else "wrong_device"


class ProbeSubentryFlow(_DriverSubentryFlow):
    """Add or edit a probe."""

    drivers = tuple(ProbeDriver)
    _sensors_found: list[str] | None = None

    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        match data[CONF_DRIVER]:
            case ProbeDriver.DS18B20:
                return f"ds18b20:{data[CONF_DEVICE_ID]}"
            case ProbeDriver.HA_SENSOR:
                return f"ha_sensor:{data[CONF_ENTITY_ID]}"
            case ProbeDriver.SIMULATED:
                return f"simulated:{data[CONF_KIND]}"
        return f"ezo:{data[CONF_BUS]}:{data[CONF_ADDRESS]}"

    async def _async_validate(self, data: dict[str, Any]) -> dict[str, str]:
        driver = data[CONF_DRIVER]
        if driver not in EZO_DRIVERS:
            return {}
        data[CONF_BUS], data[CONF_ADDRESS] = int(data[CONF_BUS]), int(data[CONF_ADDRESS])
        try:
            error = await self.hass.async_add_executor_job(
                _check_ezo, data[CONF_BUS], EzoCircuit(driver), data[CONF_ADDRESS]
            )
        except HardwareError as err:
            return {CONF_BUS: _bus_error(err)}
        return {"base": error} if error else {}

    def _temperature_probes(self) -> list[selector.SelectOptionDict]:
        return [
            selector.SelectOptionDict(value=subentry_id, label=subentry.title)
            for subentry_id, subentry in self._get_entry().subentries.items()
            if subentry.subentry_type == SUBENTRY_PROBE
            and drivers.probe_kind(subentry.data) == ProbeKind.TEMPERATURE
        ]

    def _schema(self, driver: str) -> vol.Schema:
        fields: dict[Any, Any] = {vol.Required(CONF_NAME): selector.TextSelector()}
        match driver:
            case ProbeDriver.DS18B20:
                fields[vol.Required(CONF_DEVICE_ID)] = (
                    selector.TextSelector()
                    if self._sensors_found is None
                    else selector.SelectSelector(selector.SelectSelectorConfig(options=self._sensors_found))
                )
            case ProbeDriver.HA_SENSOR:
                fields[vol.Required(CONF_ENTITY_ID)] = selector.EntitySelector(
                    selector.EntitySelectorConfig(
                        domain="sensor", exclude_entities=_own_entities(self, "sensor")
                    )
                )
                fields[vol.Required(CONF_KIND, default=ProbeKind.TEMPERATURE)] = _select(
                    list(ProbeKind), CONF_KIND
                )
            case ProbeDriver.SIMULATED:
                fields[vol.Required(CONF_KIND, default=ProbeKind.TEMPERATURE)] = _select(
                    list(ProbeKind), CONF_KIND
                )
            case _:
                fields[vol.Required(CONF_BUS, default=1)] = _number(0, 99, 1)
                fields[vol.Required(CONF_ADDRESS, default=SPECS[EzoCircuit(driver)].default_address)] = (
                    _number(1, 0x7F, 1)
                )
                if SPECS[EzoCircuit(driver)].temperature_compensation and (
                    options := self._temperature_probes()
                ):
                    fields[vol.Optional(CONF_TEMPERATURE_PROBE)] = selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=options, mode=selector.SelectSelectorMode.DROPDOWN
                        )
                    )
        return vol.Schema(fields)

    async def async_step_ds18b20(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A DS18B20 on the 1-wire bus, picked from the sensors the kernel lists."""
        if self._sensors_found is None:
            self._sensors_found = await self.hass.async_add_executor_job(list_ds18b20, drivers.W1_ROOT)
            if not self._sensors_found:
                return self.async_abort(reason="no_sensors_found")
        return await self._async_driver_step(ProbeDriver.DS18B20, user_input)

    async def _async_ezo(self, driver: ProbeDriver, user_input: dict[str, Any] | None) -> SubentryFlowResult:
        return await self._async_driver_step(driver, user_input)

    async def async_step_ezo_ph(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An Atlas Scientific EZO-pH circuit on I2C."""
        return await self._async_ezo(ProbeDriver.EZO_PH, user_input)

    async def async_step_ezo_orp(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An Atlas Scientific EZO-ORP circuit on I2C."""
        return await self._async_ezo(ProbeDriver.EZO_ORP, user_input)

    async def async_step_ezo_ec(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An Atlas Scientific EZO-EC (conductivity) circuit on I2C."""
        return await self._async_ezo(ProbeDriver.EZO_EC, user_input)

    async def async_step_ezo_do(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An Atlas Scientific EZO-DO (dissolved oxygen) circuit on I2C."""
        return await self._async_ezo(ProbeDriver.EZO_DO, user_input)

    async def async_step_ha_sensor(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An existing Home Assistant sensor, so safety rules and history work on it too."""
        return await self._async_driver_step(ProbeDriver.HA_SENSOR, user_input)

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A probe reading the simulated tank's water."""
        return await self._async_driver_step(ProbeDriver.SIMULATED, user_input)


_OUTLET_ERRORS: Final[Mapping[type[OutletError], str]] = {
    OutletAuthError: "invalid_auth",
    OutletNotFoundError: "outlet_not_found",
}


def _outlet_error(err: OutletError) -> str:
    return _OUTLET_ERRORS.get(type(err), "cannot_connect")


def _outlet_fields(default_name: str | None = None) -> dict[Any, Any]:
    """What every outlet has: a name, the role of what is plugged in, and a boot delay."""
    return {
        vol.Required(CONF_NAME, default=default_name or vol.UNDEFINED): selector.TextSelector(),
        vol.Required(CONF_ROLE, default=OutletRole.OTHER): _select(list(OutletRole), "outlet_role"),
        vol.Required(CONF_BOOT_DELAY, default=0): _number(0, 600, 1, "s"),
    }


def _connection_fields() -> dict[Any, Any]:
    return {
        vol.Required(CONF_HOST): selector.TextSelector(),
        vol.Optional(CONF_PORT): _number(1, 65535, 1),
        vol.Optional(CONF_USERNAME): selector.TextSelector(),
        vol.Optional(CONF_PASSWORD): selector.TextSelector(
            selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
        ),
    }


def _connection(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data = {key: user_input[key] for key in (CONF_HOST, CONF_USERNAME, CONF_PASSWORD) if user_input.get(key)}
    if user_input.get(CONF_PORT):
        data[CONF_PORT] = int(user_input[CONF_PORT])
    return data


class OutletSubentryFlow(ConfigSubentryFlow):
    """Add or edit a smart outlet: each driver's device is reached (and its sockets listed) before it is saved."""

    def __init__(self) -> None:
        """Nothing found yet."""
        self._device: dict[str, Any] = {}
        self._choices: dict[str, tuple[str, str, Any]] = {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer the outlet drivers."""
        return self.async_show_menu(step_id="user", menu_options=list(OutletDriver))

    def _create(
        self, data: dict[str, Any], user_input: Mapping[str, Any], unique_id: str
    ) -> SubentryFlowResult:
        if any(sub.unique_id == unique_id for sub in self._get_entry().subentries.values()):
            return self.async_abort(reason="already_configured")
        data |= {CONF_ROLE: user_input[CONF_ROLE], CONF_BOOT_DELAY: float(user_input[CONF_BOOT_DELAY])}
        return self.async_create_entry(title=user_input[CONF_NAME].strip(), data=data, unique_id=unique_id)

    async def async_step_kasa(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A TP-Link Kasa plug or power strip on the network."""
        errors: dict[str, str] = {}
        if user_input is not None:
            connection = _connection(user_input)
            device = KasaDevice(
                connection[CONF_HOST],
                port=connection.get(CONF_PORT),
                username=connection.get(CONF_USERNAME),
                password=connection.get(CONF_PASSWORD),
            )
            try:
                info = await device.probe()
            except OutletError as err:
                errors["base"] = _outlet_error(err)
            else:
                self._device = {
                    CONF_DRIVER: OutletDriver.KASA,
                    **connection,
                    CONF_CONNECTION: info.connection,
                    CONF_MAC: info.device.mac,
                }
                self._choices = {str(s.index): (s.name, s.unique_id, s.index) for s in info.sockets}
                return await self.async_step_kasa_socket()
        return self.async_show_form(
            step_id="kasa", data_schema=vol.Schema(_connection_fields()), errors=errors
        )

    async def async_step_kasa_socket(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick the socket of a strip (a single plug has one)."""
        return await self._async_pick("kasa_socket", CONF_SOCKET, user_input)

    async def _async_pick(
        self, step_id: str, key: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        if user_input is not None:
            choice = user_input.get(key, next(iter(self._choices)))
            _name, unique_id, value = self._choices[choice]
            return self._create({**self._device, key: value}, user_input, unique_id)
        fields: dict[Any, Any] = {}
        if len(self._choices) > 1:
            fields[vol.Required(key)] = selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[
                        selector.SelectOptionDict(value=choice, label=name)
                        for choice, (name, _uid, _value) in self._choices.items()
                    ],
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            )
        first_name = next(iter(self._choices.values()))[0]
        fields |= _outlet_fields(first_name if len(self._choices) == 1 else None)
        return self.async_show_form(step_id=step_id, data_schema=vol.Schema(fields))

    async def async_step_shelly(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A Shelly relay (Gen1 or Gen2+) on the network."""
        errors: dict[str, str] = {}
        if user_input is not None:
            connection = _connection(user_input)
            try:
                info = await drivers.shelly_device(self.hass, connection).probe()
            except OutletError as err:
                errors["base"] = _outlet_error(err)
            else:
                self._device = {CONF_DRIVER: OutletDriver.SHELLY, **connection, CONF_MAC: info.device.mac}
                self._choices = {str(c.channel): (c.name, c.unique_id, c.channel) for c in info.channels}
                return await self.async_step_shelly_channel()
        return self.async_show_form(
            step_id="shelly", data_schema=vol.Schema(_connection_fields()), errors=errors
        )

    async def async_step_shelly_channel(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick the relay channel."""
        return await self._async_pick("shelly_channel", CONF_CHANNEL, user_input)

    async def async_step_vesync(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """VeSync outlets come from one account per controller, entered here the first time."""
        entry = self._get_entry()
        errors: dict[str, str] = {}
        account = entry.data.get(CONF_VESYNC)
        if account is None and user_input is not None:
            account = {CONF_USERNAME: user_input[CONF_USERNAME], CONF_PASSWORD: user_input[CONF_PASSWORD]}
        if account is not None:
            cloud = drivers.vesync_account(self.hass, account)
            try:
                found = await cloud.list_outlets()
            except OutletError as err:
                errors["base"] = _outlet_error(err)
                account = None
            else:
                if CONF_VESYNC not in entry.data:
                    self.hass.config_entries.async_update_entry(
                        entry, data={**entry.data, CONF_VESYNC: account}
                    )
                self._device = {CONF_DRIVER: OutletDriver.VESYNC}
                self._choices = {o.device_id: (o.name, o.unique_id, o.device_id) for o in found}
                if not self._choices:
                    return self.async_abort(reason="no_outlets_found")
                return await self.async_step_vesync_outlet()
            finally:
                await cloud.close()
        return self.async_show_form(
            step_id="vesync",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_USERNAME): selector.TextSelector(
                        selector.TextSelectorConfig(type=selector.TextSelectorType.EMAIL)
                    ),
                    vol.Required(CONF_PASSWORD): selector.TextSelector(
                        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                    ),
                }
            ),
            errors=errors,
        )

    async def async_step_vesync_outlet(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick one of the account's outlets."""
        return await self._async_pick("vesync_outlet", CONF_DEVICE_ID, user_input)

    async def async_step_ha_switch(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An existing HA switch, e.g. from HA's own TP-Link or Shelly integration."""
        if user_input is not None:
            entity_id = user_input[CONF_ENTITY_ID]
            return self._create(
                {CONF_DRIVER: OutletDriver.HA_SWITCH, CONF_ENTITY_ID: entity_id},
                user_input,
                f"ha_switch:{entity_id}",
            )
        fields = {
            vol.Required(CONF_ENTITY_ID): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="switch", exclude_entities=_own_entities(self, "switch"))
            ),
            **_outlet_fields(),
        }
        return self.async_show_form(step_id="ha_switch", data_schema=vol.Schema(fields))

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A simulated socket for the demo tank; `watts` is what it draws when on."""
        if user_input is not None:
            data: dict[str, Any] = {CONF_DRIVER: OutletDriver.SIMULATED}
            if user_input.get(CONF_WATTS):
                data[CONF_WATTS] = float(user_input[CONF_WATTS])
            return self._create(data, user_input, f"simulated:{slugify(user_input[CONF_NAME])}")
        fields = {**_outlet_fields(), vol.Optional(CONF_WATTS): _number(0, 5000, 1, "W")}
        return self.async_show_form(step_id="simulated", data_schema=vol.Schema(fields))

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Rename an outlet, or change its role or boot delay."""
        subentry = self._get_reconfigure_subentry()
        if user_input is not None:
            return self.async_update_and_abort(
                self._get_entry(),
                subentry,
                title=user_input[CONF_NAME].strip(),
                data_updates={
                    CONF_ROLE: user_input[CONF_ROLE],
                    CONF_BOOT_DELAY: float(user_input[CONF_BOOT_DELAY]),
                },
            )
        schema = self.add_suggested_values_to_schema(
            vol.Schema(_outlet_fields()), {**subentry.data, CONF_NAME: subentry.title}
        )
        return self.async_show_form(step_id="reconfigure", data_schema=schema)


CONDITION_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "above": ("limit",),
    "below": ("limit",),
    "outside": ("low", "high"),
    "rate": ("max_per_hour", "window_minutes"),
    "stale": ("minutes",),
    "flatline": ("minutes", "noise"),
}
# Conditions that compare against a limit, and so can be given hysteresis and a proportional derate.
LIMIT_CONDITIONS: Final = frozenset({"above", "below", "outside", "rate"})


class ReefOptionsFlow(OptionsFlow):
    """Safety rules (add, edit, remove) and what safety mode does to the lights."""

    def __init__(self) -> None:
        """Start without a rule in hand."""
        self._draft: dict[str, Any] = {}
        self._editing: str | None = None

    @property
    def _rules(self) -> list[dict[str, Any]]:
        return list(self.config_entry.options.get(CONF_RULES, []))

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """What to change."""
        options = (
            ["add_rule", "edit_rule", "remove_rule", "settings"] if self._rules else ["add_rule", "settings"]
        )
        return self.async_show_menu(step_id="init", menu_options=options)

    def _probes(self) -> list[selector.SelectOptionDict]:
        return [
            selector.SelectOptionDict(value=subentry_id, label=subentry.title)
            for subentry_id, subentry in self.config_entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_PROBE
        ]

    def _is_temperature(self, probe: str) -> bool:
        subentry = self.config_entry.subentries.get(probe)
        return subentry is not None and drivers.probe_kind(subentry.data) == ProbeKind.TEMPERATURE

    def _display_unit(self, probe: str) -> str:
        """Temperature limits are entered in the keeper's unit and stored in the probe's (°C)."""
        return keeper_unit(self.hass) if self._is_temperature(probe) else CELSIUS

    async def async_step_add_rule(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the rule, pick its probe and condition."""
        return await self._async_rule_step("add_rule", user_input)

    async def async_step_edit_rule(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick the rule to edit."""
        if user_input is not None:
            self._editing = user_input["rule"]
            stored = next(rule for rule in self._rules if rule["id"] == self._editing)
            shown = convert_temperature_rule(
                Rule.from_dict(stored), CELSIUS, self._display_unit(stored["probe"])
            )
            self._draft = shown.to_dict()
            return await self.async_step_rule()
        return self.async_show_form(
            step_id="edit_rule",
            data_schema=vol.Schema({vol.Required("rule"): self._rule_selector(multiple=False)}),
        )

    async def async_step_rule(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Rename an existing rule, or point it at another probe or condition."""
        return await self._async_rule_step("rule", user_input)

    def _rule_selector(self, *, multiple: bool) -> selector.SelectSelector:
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=rule["id"], label=rule["name"]) for rule in self._rules
                ],
                multiple=multiple,
                mode=selector.SelectSelectorMode.LIST,
            )
        )

    async def _async_rule_step(self, step_id: str, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            if not _has_name(user_input[CONF_NAME]):
                errors[CONF_NAME] = "name_required"
            else:
                condition = user_input["condition"]
                kept = (
                    self._draft.get("condition", {})
                    if self._draft.get("condition", {}).get("kind") == condition
                    else {}
                )
                self._draft |= {
                    "name": user_input[CONF_NAME].strip(),
                    "probe": user_input["probe"],
                    "condition": {"kind": condition, **kept},
                }
                return await self.async_step_rule_details()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): selector.TextSelector(),
                vol.Required("probe"): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=self._probes(), mode=selector.SelectSelectorMode.DROPDOWN
                    )
                ),
                vol.Required("condition", default="above"): _select(list(CONDITION_FIELDS), "condition"),
            }
        )
        suggested = {
            CONF_NAME: self._draft.get("name"),
            "probe": self._draft.get("probe"),
            "condition": self._draft.get("condition", {}).get("kind"),
        }
        schema = self.add_suggested_values_to_schema(schema, user_input or suggested)
        return self.async_show_form(step_id=step_id, data_schema=schema, errors=errors)

    def _details_schema(self, condition: str) -> vol.Schema:
        fields: dict[Any, Any] = {
            vol.Required(field): _number(-100000, 100000, 0.001) for field in CONDITION_FIELDS[condition]
        }
        if condition in LIMIT_CONDITIONS:
            fields[vol.Required("hysteresis", default=0)] = _number(0, 100000, 0.001)
        fields |= {
            vol.Required("lights_off", default=False): selector.BooleanSelector(),
            vol.Required("notify", default=True): selector.BooleanSelector(),
            vol.Required("safety_mode", default=False): selector.BooleanSelector(),
            vol.Optional("outlets_off"): _roles(),
            vol.Optional("outlets_on"): _roles(),
        }
        if condition in LIMIT_CONDITIONS:
            fields[vol.Optional("derate_span")] = _number(0.001, 100000, 0.001)
            fields[vol.Required("derate_floor", default=0)] = _number(0, 100, 1, "%")
        return vol.Schema(fields)

    async def async_step_rule_details(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The condition's limits, the hysteresis and what the rule does while raised."""
        condition = self._draft["condition"]["kind"]
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            draft = self._draft | {
                "id": self._editing or self._new_id(self._draft["name"]),
                "condition": {
                    "kind": condition,
                    **{f: _field(f, user_input[f]) for f in CONDITION_FIELDS[condition]},
                },
                "hysteresis": user_input.get("hysteresis", 0),
                "actions": {
                    "lights_off": user_input["lights_off"],
                    "notify": user_input["notify"],
                    "safety_mode": user_input["safety_mode"],
                    "outlets": dict.fromkeys(user_input.get("outlets_off", []), "off")
                    | dict.fromkeys(user_input.get("outlets_on", []), "on"),
                    "derate_lights": None
                    if "derate_span" not in user_input
                    else {"span": user_input["derate_span"], "floor": user_input["derate_floor"] / 100},
                },
            }
            try:
                rule = convert_temperature_rule(
                    Rule.from_dict(draft), self._display_unit(draft["probe"]), CELSIUS
                )
                rules = [r for r in self._rules if r["id"] != draft["id"]] + [rule.to_dict()]
                rules_from_list(rules)
            except RuleError as err:
                errors["base"] = err.translation_key
                placeholders = err.placeholders
            else:
                return self.async_create_entry(data={**self.config_entry.options, CONF_RULES: rules})
        shown = self._draft.get("actions", {})
        suggested = {
            **self._draft.get("condition", {}),
            "hysteresis": self._draft.get("hysteresis", 0),
            **{key: shown[key] for key in ("lights_off", "notify", "safety_mode") if key in shown},
            "outlets_off": [role for role, state in shown.get("outlets", {}).items() if state == "off"],
            "outlets_on": [role for role, state in shown.get("outlets", {}).items() if state == "on"],
        }
        if derate := shown.get("derate_lights"):
            suggested |= {"derate_span": derate["span"], "derate_floor": derate["floor"] * 100}
        schema = self.add_suggested_values_to_schema(self._details_schema(condition), user_input or suggested)
        return self.async_show_form(
            step_id="rule_details",
            data_schema=schema,
            errors=errors,
            description_placeholders={"unit": self._display_unit(self._draft["probe"]), **placeholders},
        )

    def _new_id(self, name: str) -> str:
        base = slugify(name) or "rule"
        taken = {rule["id"] for rule in self._rules}
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}_{number}", number + 1
        return candidate

    async def async_step_remove_rule(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Delete rules."""
        if user_input is not None:
            gone = set(user_input["rules"])
            rules = [rule for rule in self._rules if rule["id"] not in gone]
            return self.async_create_entry(data={**self.config_entry.options, CONF_RULES: rules})
        return self.async_show_form(
            step_id="remove_rule",
            data_schema=vol.Schema({vol.Required("rules"): self._rule_selector(multiple=True)}),
        )

    async def async_step_settings(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """What safety mode does to the lights, and how long heaters wait for a silent thermometer."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    **self.config_entry.options,
                    CONF_SAFETY_MODE_LIGHTS: float(user_input[CONF_SAFETY_MODE_LIGHTS]),
                    CONF_SAFETY_MODE_OUTLETS: user_input.get(CONF_SAFETY_MODE_OUTLETS, []),
                    CONF_FAILSAFE_MINUTES: int(user_input[CONF_FAILSAFE_MINUTES]),
                }
            )
        options = self.config_entry.options
        return self.async_show_form(
            step_id="settings",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_SAFETY_MODE_LIGHTS, default=options.get(CONF_SAFETY_MODE_LIGHTS, 100)
                    ): _number(0, 100, 1, "%"),
                    vol.Optional(
                        CONF_SAFETY_MODE_OUTLETS, default=options.get(CONF_SAFETY_MODE_OUTLETS, [])
                    ): _roles(),
                    vol.Required(
                        CONF_FAILSAFE_MINUTES,
                        default=options.get(CONF_FAILSAFE_MINUTES, DEFAULT_FAILSAFE_MINUTES),
                    ): _number(1, 1440, 1, "min"),
                }
            ),
        )


def _field(name: str, value: float) -> float | int:
    """Minutes are whole numbers; the form's number fields give floats."""
    return int(value) if name in ("minutes", "window_minutes") else value


def _roles() -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=sorted(OUTLET_ROLES),
            multiple=True,
            translation_key="outlet_role",
            mode=selector.SelectSelectorMode.LIST,
        )
    )
