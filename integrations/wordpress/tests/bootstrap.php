<?php
/**
 * PHPUnit without WordPress: the few functions the client and the summaries use, as WordPress
 * defines them (translation returns the text; JSON and URLs as core does).
 */

define( 'ABSPATH', __DIR__ . '/' );

function __( $text, $domain = 'default' ) {
	return $text;
}
function wp_json_encode( $data ) {
	return json_encode( $data, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES );
}
function untrailingslashit( $value ) {
	return rtrim( $value, '/\\' );
}
function determine_locale() {
	return 'id_ID';
}
function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}
function esc_url( $url ) {
	return htmlspecialchars( (string) $url, ENT_QUOTES, 'UTF-8' );
}
function get_permalink( $post ) {
	return 'http://site.test/?p=' . $post->ID;
}
function get_the_title( $post ) {
	return $post->post_title;
}
function is_wp_error( $thing ) {
	return $thing instanceof WP_Error;
}
class WP_Error {
	private $message;
	public function __construct( $code = '', $message = '' ) {
		$this->message = $message;
	}
	public function get_error_message() {
		return $this->message;
	}
}

require_once dirname( __DIR__ ) . '/ringkas/includes/class-ringkas-languages.php';
require_once dirname( __DIR__ ) . '/ringkas/includes/class-ringkas-errors.php';
require_once dirname( __DIR__ ) . '/ringkas/includes/class-ringkas-client.php';
require_once dirname( __DIR__ ) . '/ringkas/includes/class-ringkas-summaries.php';
require_once dirname( __DIR__ ) . '/ringkas/includes/class-ringkas-digest.php';
