<?php
/**
 * Talks to a Ringkas service from PHP: the API key never reaches the browser.
 *
 * Requests are built and answers read here; the transport is WordPress's HTTP API by default and a
 * callable in the unit tests.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * One service, one key.
 */
final class Ringkas_Client {
	const TIMEOUT_S = 60; // A summary on a busy CPU service takes seconds; publishing never waits (cron).

	/** @var array */
	private $settings;
	/** @var callable(string, string, array): (array|WP_Error) */
	private $transport;

	/**
	 * @param array         $settings  Ringkas_Options::get().
	 * @param callable|null $transport (method, url, args) => WordPress HTTP response or WP_Error.
	 */
	public function __construct( array $settings, ?callable $transport = null ) {
		$this->settings  = $settings;
		$this->transport = $transport ?? static function ( string $method, string $url, array $args ) {
			return wp_remote_request( $url, array_merge( $args, array( 'method' => $method ) ) );
		};
	}

	/**
	 * The request for one article's summary: the post's HTML (Ringkas extracts and cleans it), the
	 * site's length and translation choices.
	 *
	 * @param string $html The post content.
	 * @return array{0: string, 1: string, 2: array} Method, URL, arguments.
	 */
	public function summarize_request( string $html ): array {
		$body = array(
			'html'      => $html,
			'length'    => $this->settings['length'],
			'translate' => (bool) $this->settings['translate'],
		);
		return array( 'POST', $this->url( '/v1/summarize' ), $this->args( wp_json_encode( $body ) ) );
	}

	/**
	 * @param string $html The post content.
	 * @return array{ok: bool, data?: array, code?: string, message?: string, status?: int}
	 */
	public function summarize( string $html ): array {
		return $this->send( ...$this->summarize_request( $html ) );
	}

	/** @return array The loaded models and the demo flag, for "Test connection". */
	public function models(): array {
		return $this->send( 'GET', $this->url( '/v1/models' ), $this->args( null ) );
	}

	/**
	 * A whole archive as one job: items {id: post ID, html}.
	 *
	 * @param array $items Job items.
	 * @return array
	 */
	public function submit_job( array $items ): array {
		$body = array(
			'items'    => array_values( $items ),
			'defaults' => array(
				'length'    => $this->settings['length'],
				'translate' => (bool) $this->settings['translate'],
			),
		);
		return $this->send( 'POST', $this->url( '/v1/jobs' ), $this->args( wp_json_encode( $body ) ) );
	}

	/**
	 * @param string $job_id The job.
	 * @return array
	 */
	public function job( string $job_id ): array {
		return $this->send( 'GET', $this->url( '/v1/jobs/' . rawurlencode( $job_id ) ), $this->args( null ) );
	}

	/**
	 * Finished result lines from item index `since` (NDJSON), and where to resume.
	 *
	 * @param string $job_id The job.
	 * @param int    $since  First item index.
	 * @return array{ok: bool, data?: array{lines: array, next: int}}
	 */
	public function job_results( string $job_id, int $since ): array {
		$url    = $this->url( '/v1/jobs/' . rawurlencode( $job_id ) . '/results?since=' . max( 0, $since ) );
		$answer = $this->send( 'GET', $url, $this->args( null ), true );
		if ( ! $answer['ok'] ) {
			return $answer;
		}
		$lines = array();
		foreach ( preg_split( '/\r?\n/', (string) $answer['data']['body'] ) as $line ) {
			$decoded = '' === trim( $line ) ? null : json_decode( $line, true );
			if ( is_array( $decoded ) ) {
				$lines[] = $decoded;
			}
		}
		$next = (int) ( $answer['data']['headers']['ringkas-next-since'] ?? $since );
		return array( 'ok' => true, 'data' => array( 'lines' => $lines, 'next' => $next ) );
	}

	private function url( string $path ): string {
		return untrailingslashit( $this->settings['url'] ) . $path;
	}

	private function args( ?string $body ): array {
		$headers = array(
			'Accept'          => 'application/json',
			// The service's own words come in English; the plugin words its notices itself.
			'Accept-Language' => str_replace( '_', '-', function_exists( 'determine_locale' ) ? determine_locale() : 'id_ID' ),
		);
		if ( null !== $body ) {
			$headers['Content-Type'] = 'application/json';
		}
		if ( '' !== $this->settings['api_key'] ) {
			$headers['Authorization'] = 'Bearer ' . $this->settings['api_key'];
		}
		$args = array(
			'timeout'     => self::TIMEOUT_S,
			'headers'     => $headers,
			'redirection' => 0,
		);
		if ( null !== $body ) {
			$args['body'] = $body;
		}
		return $args;
	}

	/**
	 * @param bool $raw Keep the body as text (NDJSON) with the headers.
	 * @return array
	 */
	private function send( string $method, string $url, array $args, bool $raw = false ): array {
		if ( '' === $this->settings['url'] ) {
			return self::failure( 'not-configured', __( 'The Ringkas service address is not set yet (Settings → Ringkas).', 'ringkas' ) );
		}
		$response = ( $this->transport )( $method, $url, $args );
		return self::read( $response, $raw );
	}

	/**
	 * A WordPress HTTP response as the plugin's result: the data, or a failure worded for an editor
	 * with the service's own detail kept apart.
	 *
	 * @param array|WP_Error $response The transport's answer.
	 * @param bool           $raw      Keep the body as text.
	 * @return array
	 */
	public static function read( $response, bool $raw = false ): array {
		if ( is_wp_error( $response ) ) {
			return self::failure( 'unreachable', __( 'The Ringkas service cannot be reached. Try again shortly.', 'ringkas' ), $response->get_error_message() );
		}
		$status  = (int) ( $response['response']['code'] ?? 0 );
		$body    = (string) ( $response['body'] ?? '' );
		$headers = array();
		// An array in the tests; WordPress's case-insensitive dictionary object (iterable, never cast).
		foreach ( $response['headers'] ?? array() as $name => $value ) {
			$headers[ strtolower( (string) $name ) ] = is_array( $value ) ? end( $value ) : (string) $value;
		}
		if ( $status >= 200 && $status < 300 ) {
			if ( $raw ) {
				return array( 'ok' => true, 'data' => array( 'body' => $body, 'headers' => $headers ) );
			}
			$data = json_decode( $body, true );
			if ( ! is_array( $data ) ) {
				return self::failure( 'bad-answer', __( 'The Ringkas service\'s answer could not be read.', 'ringkas' ) );
			}
			return array( 'ok' => true, 'data' => $data );
		}
		$problem = json_decode( $body, true );
		$detail  = is_array( $problem ) && isset( $problem['detail'] ) ? (string) $problem['detail'] : '';
		$words   = array(
			401 => array( 'key-missing', __( 'The Ringkas service needs an API key. Enter it in Settings → Ringkas.', 'ringkas' ) ),
			403 => array( 'key-refused', __( 'The Ringkas service refused the API key. Check it in Settings → Ringkas.', 'ringkas' ) ),
			413 => array( 'too-long', __( 'The article is too long for the Ringkas service.', 'ringkas' ) ),
			422 => array( 'refused', __( 'This article cannot be summarized.', 'ringkas' ) ),
			429 => array( 'busy', __( 'The Ringkas usage limit is reached. Try again later.', 'ringkas' ) ),
			503 => array( 'busy', __( 'The Ringkas service is busy or not ready yet. Try again shortly.', 'ringkas' ) ),
		);
		list( $code, $message ) = $words[ $status ] ?? array( 'failed', __( 'The Ringkas service ran into an error.', 'ringkas' ) );
		if ( 422 === $status && is_array( $problem ) && isset( $problem['detected_language'] ) ) {
			$code    = 'not-indonesian';
			$message = __( 'This text does not look Indonesian, so it was not summarized.', 'ringkas' );
		}
		return self::failure( $code, $message, $detail, $status );
	}

	private static function failure( string $code, string $message, string $detail = '', int $status = 0 ): array {
		return array(
			'ok'      => false,
			'code'    => $code,
			'message' => $message,
			'detail'  => $detail,
			'status'  => $status,
		);
	}
}
