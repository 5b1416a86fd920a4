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
	const DIGEST_TIMEOUT_S = 120; // A digest reads up to 20 articles while the editor waits on the bulk action.

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
	public function summarize_request( string $html, bool $force = false ): array {
		$body = array(
			'html'      => $html,
			'length'    => $this->settings['length'],
			'translate' => (bool) $this->settings['translate'],
		);
		if ( $force ) {
			$body['force'] = true; // The editor chose "summarize anyway" after a language refusal.
		}
		return array( 'POST', $this->url( '/v1/summarize' ), $this->args( wp_json_encode( $body ) ) );
	}

	/**
	 * @param string $html  The post content.
	 * @param bool   $force Summarize even if the text does not look Indonesian.
	 * @return array{ok: bool, data?: array, code?: string, message?: string, status?: int, facts?: array}
	 */
	public function summarize( string $html, bool $force = false ): array {
		return $this->send( ...$this->summarize_request( $html, $force ) );
	}

	/**
	 * One digest of a story cluster (POST /v1/digest): articles {id, html, date?}, the site's length
	 * and translation choices.
	 *
	 * @param array $articles From 2 to 20 articles.
	 * @return array
	 */
	public function digest( array $articles ): array {
		$body = array(
			'articles'  => array_values( $articles ),
			'length'    => $this->settings['length'],
			'translate' => (bool) $this->settings['translate'],
		);
		$args            = $this->args( wp_json_encode( $body ) );
		$args['timeout'] = self::DIGEST_TIMEOUT_S;
		return $this->send( 'POST', $this->url( '/v1/digest' ), $args );
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
	public function cancel_job( string $job_id ): array {
		return $this->send( 'DELETE', $this->url( '/v1/jobs/' . rawurlencode( $job_id ) ), $this->args( null ) );
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
			return self::failure( 'not-configured' );
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
			return self::failure( 'unreachable', $response->get_error_message() );
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
				return self::failure( 'bad-answer' );
			}
			return array( 'ok' => true, 'data' => $data );
		}
		$problem = json_decode( $body, true );
		return self::problem( $status, is_array( $problem ) ? $problem : array() );
	}

	/**
	 * A service problem (an HTTP answer's, or a failed job line's) as the plugin's code and facts.
	 *
	 * @param int   $status  HTTP status.
	 * @param array $problem The problem+json body.
	 */
	public static function problem( int $status, array $problem ): array {
		$codes = array(
			401 => 'key-missing',
			403 => 'key-refused',
			413 => 'too-long',
			422 => 'refused',
			429 => 'busy',
			503 => 'busy',
		);
		$code  = $codes[ $status ] ?? 'failed';
		$facts = array();
		if ( 422 === $status && isset( $problem['detected_language'] ) && is_array( $problem['detected_language'] ) ) {
			$code  = 'not-indonesian';
			$facts = array(
				'language'   => (string) ( $problem['detected_language']['name'] ?? '' ),
				'code'       => (string) ( $problem['detected_language']['code'] ?? '' ),
				'confidence' => (float) ( $problem['detected_language']['confidence'] ?? 0 ),
			);
		}
		if ( isset( $problem['article'] ) && is_int( $problem['article'] ) ) {
			$facts['article'] = $problem['article']; // A digest's problem names the article at fault.
		}
		return self::failure( $code, isset( $problem['detail'] ) ? (string) $problem['detail'] : '', $status, $facts );
	}

	/** The message is worded now, for whoever asked; what is stored is the code and the facts. */
	private static function failure( string $code, string $detail = '', int $status = 0, array $facts = array() ): array {
		return array(
			'ok'      => false,
			'code'    => $code,
			'message' => Ringkas_Errors::message( $code, $facts ),
			'detail'  => $detail,
			'status'  => $status,
			'facts'   => $facts,
		);
	}
}
