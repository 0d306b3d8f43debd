/**
 * The admin HTTP API of the rotation daemon: {@link dev.rotor.api.AdminServer} serves it, the
 * daemon answers through {@link dev.rotor.api.AdminService}, {@link dev.rotor.api.ApiConfig}
 * binds the {@code api:} section of {@code rotor.yaml}.
 */
@NullMarked
package dev.rotor.api;

import org.jspecify.annotations.NullMarked;
