/** Typed configuration of session-service ({@code @ConfigMapping} interfaces). */
package org.e2echat.session.config;
