<?php
/**
 * The plugin's settings, read in one place.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * One option array, `ringkas_settings`; the API key stays on the server. A host may fix the address
 * and the key in wp-config.php (RINGKAS_SERVICE_URL, RINGKAS_API_KEY): they win over the option.
 */
final class Ringkas_Options {
	const NAME    = 'ringkas_settings';
	const LENGTHS = array( 'short', 'medium', 'long' );

	/**
	 * The settings, with defaults for what is not set.
	 *
	 * @return array{url: string, api_key: string, length: string, translate: bool, on_publish: bool, post_types: string[], show_above: bool}
	 */
	public static function get(): array {
		$saved = get_option( self::NAME, array() );
		$saved = is_array( $saved ) ? $saved : array();
		$types = isset( $saved['post_types'] ) && is_array( $saved['post_types'] ) ? array_values( array_map( 'strval', $saved['post_types'] ) ) : array( 'post' );
		return array(
			'url'        => self::constant( 'RINGKAS_SERVICE_URL' ) ?? ( isset( $saved['url'] ) ? (string) $saved['url'] : '' ),
			'api_key'    => self::constant( 'RINGKAS_API_KEY' ) ?? ( isset( $saved['api_key'] ) ? (string) $saved['api_key'] : '' ),
			'length'     => isset( $saved['length'] ) && in_array( $saved['length'], self::LENGTHS, true ) ? $saved['length'] : 'medium',
			'translate'  => ! empty( $saved['translate'] ),
			'on_publish' => ! empty( $saved['on_publish'] ),
			'post_types' => $types,
			'show_above' => ! empty( $saved['show_above'] ),
		);
	}

	/** A wp-config.php constant's value, or null when it is not defined. */
	public static function constant( string $name ): ?string {
		return defined( $name ) ? (string) constant( $name ) : null;
	}

	/**
	 * The post types Ringkas works on: the settings' choice, then the `ringkas_post_types` filter
	 * for code, kept to types that exist and have the block editor's REST support.
	 *
	 * @return string[]
	 */
	public static function post_types(): array {
		$types = (array) apply_filters( 'ringkas_post_types', self::get()['post_types'] );
		return array_values(
			array_filter(
				array_unique( array_map( 'strval', $types ) ),
				static function ( string $type ): bool {
					$object = get_post_type_object( $type );
					return $object && ! empty( $object->show_in_rest ) && post_type_supports( $type, 'editor' );
				}
			)
		);
	}

	public static function supports( string $post_type ): bool {
		return in_array( $post_type, self::post_types(), true );
	}

	/** Post types an administrator may choose from: public, with an editor, in REST. */
	public static function choosable_types(): array {
		$found = array();
		foreach ( get_post_types( array( 'show_in_rest' => true ), 'objects' ) as $type ) {
			if ( ( $type->public || $type->show_ui ) && post_type_supports( $type->name, 'editor' ) && 'attachment' !== $type->name && 0 !== strpos( $type->name, 'wp_' ) ) {
				$found[ $type->name ] = $type->labels->name;
			}
		}
		return $found;
	}

	/**
	 * Settings as a form sends them, made safe to store. An empty key field keeps the stored key
	 * (the page never shows it back); "remove the key" empties it.
	 *
	 * @param mixed $input The submitted values.
	 * @return array
	 */
	public static function sanitize( $input ): array {
		$input   = is_array( $input ) ? $input : array();
		$saved   = get_option( self::NAME, array() );
		$saved   = is_array( $saved ) ? $saved : array();
		$key     = isset( $input['api_key'] ) ? trim( (string) $input['api_key'] ) : '';
		$length  = isset( $input['length'] ) ? sanitize_key( $input['length'] ) : 'medium';
		$types   = isset( $input['post_types'] ) && is_array( $input['post_types'] ) ? array_map( 'sanitize_key', $input['post_types'] ) : array();
		$types   = array_values( array_intersect( $types, array_keys( self::choosable_types() ) ) );
		$old_key = isset( $saved['api_key'] ) ? (string) $saved['api_key'] : '';
		if ( ! empty( $input['remove_key'] ) ) {
			$old_key = '';
		}
		$url = isset( $input['url'] ) ? self::clean_url( (string) $input['url'] ) : ( $saved['url'] ?? '' );
		if ( is_multisite() && ! current_user_can( 'manage_network_options' ) ) {
			// A sub-site administrator cannot point the site's requests at another address.
			$url = isset( $saved['url'] ) ? (string) $saved['url'] : '';
		}
		$new_key = '' !== $key ? sanitize_text_field( $key ) : $old_key;
		if ( '' !== $key && '' !== $url && function_exists( 'add_settings_error' ) ) {
			// A new key is tried before it is kept: a wrong one is said now, not at the first summary.
			$check = ( new Ringkas_Client( array_merge( self::get(), array( 'url' => $url, 'api_key' => $new_key ) ) ) )->models();
			if ( ! $check['ok'] && in_array( $check['code'], array( 'key-refused', 'key-missing' ), true ) ) {
				add_settings_error( self::NAME, 'ringkas-key', __( 'The Ringkas service refused this API key, so the previous key was kept.', 'ringkas' ) );
				$new_key = $old_key;
			}
		}
		return array(
			'url'        => $url,
			'api_key'    => $new_key,
			'length'     => in_array( $length, self::LENGTHS, true ) ? $length : 'medium',
			'translate'  => ! empty( $input['translate'] ),
			'on_publish' => ! empty( $input['on_publish'] ),
			'post_types' => $types ? $types : array( 'post' ),
			'show_above' => ! empty( $input['show_above'] ),
		);
	}

	/**
	 * The saved settings with the address and key as typed on the settings page (not saved yet);
	 * wp-config.php constants still win.
	 *
	 * @param array $typed url, api_key, remove_key.
	 */
	public static function typed( array $typed ): array {
		$settings = self::get();
		if ( isset( $typed['url'] ) && null === self::constant( 'RINGKAS_SERVICE_URL' ) && ( ! is_multisite() || current_user_can( 'manage_network_options' ) ) ) {
			$settings['url'] = self::clean_url( (string) $typed['url'] );
		}
		if ( null === self::constant( 'RINGKAS_API_KEY' ) ) {
			$key = trim( (string) ( $typed['api_key'] ?? '' ) );
			if ( '' !== $key ) {
				$settings['api_key'] = $key;
			} elseif ( ! empty( $typed['remove_key'] ) ) {
				$settings['api_key'] = '';
			}
		}
		return $settings;
	}

	public static function clean_url( string $url ): string {
		return untrailingslashit( esc_url_raw( trim( $url ), array( 'http', 'https' ) ) );
	}
}
