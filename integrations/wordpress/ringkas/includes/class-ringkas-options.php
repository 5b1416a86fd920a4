<?php
/**
 * The plugin's settings, read in one place.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * One option array, `ringkas_settings`; the API key stays on the server.
 */
final class Ringkas_Options {
	const NAME    = 'ringkas_settings';
	const LENGTHS = array( 'short', 'medium', 'long' );

	/**
	 * The settings, with defaults for what is not set.
	 *
	 * @return array{url: string, api_key: string, length: string, translate: bool, on_publish: bool}
	 */
	public static function get(): array {
		$saved = get_option( self::NAME, array() );
		$saved = is_array( $saved ) ? $saved : array();
		return array(
			'url'        => isset( $saved['url'] ) ? (string) $saved['url'] : '',
			'api_key'    => isset( $saved['api_key'] ) ? (string) $saved['api_key'] : '',
			'length'     => isset( $saved['length'] ) && in_array( $saved['length'], self::LENGTHS, true ) ? $saved['length'] : 'medium',
			'translate'  => ! empty( $saved['translate'] ),
			'on_publish' => ! empty( $saved['on_publish'] ),
		);
	}

	/**
	 * Settings as a form sends them, made safe to store. An empty key field keeps the stored key
	 * (the page never shows it back).
	 *
	 * @param mixed $input The submitted values.
	 * @return array
	 */
	public static function sanitize( $input ): array {
		$input   = is_array( $input ) ? $input : array();
		$current = self::get();
		$key     = isset( $input['api_key'] ) ? trim( (string) $input['api_key'] ) : '';
		$length  = isset( $input['length'] ) ? sanitize_key( $input['length'] ) : 'medium';
		return array(
			'url'        => isset( $input['url'] ) ? untrailingslashit( esc_url_raw( trim( (string) $input['url'] ), array( 'http', 'https' ) ) ) : '',
			'api_key'    => '' !== $key ? sanitize_text_field( $key ) : $current['api_key'],
			'length'     => in_array( $length, self::LENGTHS, true ) ? $length : 'medium',
			'translate'  => ! empty( $input['translate'] ),
			'on_publish' => ! empty( $input['on_publish'] ),
		);
	}
}
