/** The azure secret store provider. */
package dev.rotor.azure;
