/** The vault secret store provider. */
package dev.rotor.vault;
