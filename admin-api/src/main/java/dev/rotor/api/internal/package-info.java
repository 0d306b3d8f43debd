/** The admin API's request handling; not a public API. */
@NullMarked
package dev.rotor.api.internal;

import org.jspecify.annotations.NullMarked;
