/** Typed configuration of gateway ({@code @ConfigMapping} interfaces). */
package org.e2echat.gateway.config;
